using Demo.Reports;
using Engine.Metrics;
using Engine.Training;
using Xunit;

namespace Demo.Tests.Training;

/// <summary>
/// Issue 12: the progress bar's text in a terminal. It used to pair the running epoch's loss with the previous
/// epoch's validation figures unmarked (the last frame showed epoch 4's val_loss beside "Epoch 5/5"), and in 80
/// columns it wrapped, squeezing the time-left column to two characters a line ("00", ":0", "0:", "00").
/// </summary>
public class TrainingViewTests
{
    private static readonly EpochResult Fifth = new(5, 0.6903f, 0.6884f, 0.01)
    {
        Metrics = [new MetricValue("accuracy", 0.5352), new MetricValue("auc", 0.5224)],
        ValidationMetrics = [new MetricValue("accuracy", 0.5469), new MetricValue("auc", 0.5389)],
    };

    [Fact]
    public void TheBarShowsTheEpochAndLossThenTheValidationFiguresThatFitMarkedWithTheirEpoch()
    {
        // 80 columns leave 80 - 16 (bar) - 16 (percentage, time left, gaps) = 48 characters.
        Assert.Equal("Epoch 6/40 - loss: 0.6100", TrainingView.BarText(6, 40, 0.61f, Fifth, 48));
        Assert.Equal("Epoch 6/40 - loss: 0.6100 - val_loss: 0.6884 (epoch 5)",
                     TrainingView.BarText(6, 40, 0.61f, Fifth, 64));
        Assert.Equal("Epoch 6/40 - loss: 0.6100 - val_loss: 0.6884 - val_accuracy: 0.5469 - val_auc: 0.5389 (epoch 5)",
                     TrainingView.BarText(6, 40, 0.61f, Fifth, 104));
        // At the end of an epoch: its own figures, unmarked.
        Assert.Equal("Epoch 5/40 - loss: 0.6903 - val_loss: 0.6884", TrainingView.BarText(5, 40, 0.6903f, Fifth, 48));
        Assert.Equal("Epoch 5/40 - loss: 0.6903 - val_loss: 0.6884 - val_accuracy: 0.5469 - val_auc: 0.5389",
                     TrainingView.BarText(5, 40, 0.6903f, Fifth, 85));
        // Before the first epoch ends, and without validation series: the running loss alone.
        Assert.Equal("Epoch 1/40 - loss: 0.6931", TrainingView.BarText(1, 40, 0.6931f, null, 200));
        Assert.Equal("Epoch 6/40 - loss: 0.6100",
                     TrainingView.BarText(6, 40, 0.61f, new EpochResult(5, 0.69f, float.NaN, 0.01), 200));
        // Never longer than the room (once the epoch and loss fit).
        for (int room = 25; room < 120; room++)
            Assert.True(TrainingView.BarText(6, 40, 0.61f, Fifth, room).Length <= room, room.ToString());
    }
}
