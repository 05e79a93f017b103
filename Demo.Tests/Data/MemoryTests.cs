using Xunit;

namespace Demo.Tests.Data;

/// <summary>
/// Issue 11 item 5: what the data costs in memory. Training reads its batches out of the parsed table (no second
/// copy of the training series) and lets the table's text cells and lines go before it trains.
/// </summary>
public class MemoryTests(CliFixture fx) : IClassFixture<CliFixture>
{
    [Fact]
    public void TrainingAllocatesTheTableOnceAndNoCopyOfTheTrainingSeries()
    {
        // 4,000 series x 50 steps = 200,000 rows of 4 features and a target: 1,000,000 floats in the table, allocated
        // as one chunk grown by doubling from 1,024 (about 8 MB in all); 2 text cells (series, time) and a line per
        // row, 600,000 ints (about 4.8 MB with the doubling); the row order, 0.8 MB; the validation copy (20%),
        // 0.8 MB; the rest (console, model, metrics) about 5 MB: 19.9 MB were measured. A copy of the training series
        // (80% of 800,000 feature cells and 200,000 targets) adds 3.2 MB.
        string csv = Path.Combine(fx.Dir, "memory.csv");
        Cli.Ok("make-data", "--out", csv, "--series", "4000", "--steps", "50");
        long before = GC.GetAllocatedBytesForCurrentThread();
        Cli.Ok("train", "--data", csv, "--target", "alarm", "--model", Path.Combine(fx.Dir, "memory.safetensors"),
               "--epochs", "1", "--layers", "2", "--output", "last");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 21_500_000, $"{allocated} bytes allocated");
    }
}
