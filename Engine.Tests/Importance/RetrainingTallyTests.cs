using Engine.Importance;
using Xunit;

namespace Engine.Tests.Importance;

/// <summary><see cref="RetrainingTally"/>'s totals and its one-line summary.</summary>
public class RetrainingTallyTests
{
    [Fact]
    public void An_empty_tally_gives_no_share()
    {
        // 0 of 0 epochs: no "(NaN%)".
        Assert.Equal("0 trainings, 0 of 0 epochs run, 0 steps", new RetrainingTally().ToString());
    }

    [Fact]
    public void The_summary_gives_the_share_of_the_scheduled_epochs_run()
    {
        // Two trainings of 4 scheduled epochs, stopped after 2 and 1, 5 steps an epoch: 3 of 8 epochs (37.5%),
        // (2 + 1) x 5 = 15 steps.
        var tally = new RetrainingTally();
        tally.Add(2, 4, 5);
        tally.Add(1, 4, 5);
        Assert.Equal((2L, 3L, 8L, 15L), (tally.Trainings, tally.Epochs, tally.ScheduledEpochs, tally.Steps));
        Assert.Equal("2 trainings, 3 of 8 epochs run (37.5%), 15 steps", tally.ToString());
    }
}
