using Engine.Kernels;

namespace Demo.Study;

public sealed record StudySettingsJson(int Replicates, int TrainSeries, int EvaluationSeries, string Cell, int Units,
                                       string Activation, int Epochs, int BatchSize, float LearningRate,
                                       int Repeats, int RetrainEpochs, int Restarts, float Noise, ulong Seed,
                                       int Threads, int RetrainPatience)
{
    /// <summary>The settings with <paramref name="threads"/> in place of the thread count (0 in a settings hash:
    /// the numbers do not depend on it).</summary>
    public static StudySettingsJson Of(StudySettings s, int threads) =>
        new(s.Replicates, s.TrainSeries, s.EvaluationSeries, s.Gru ? "gru" : "lstm", s.Units, s.CellActivation.Name(),
            s.Epochs, s.BatchSize, s.LearningRate, s.Repeats, s.RetrainEpochs, s.Restarts, s.Noise, s.Seed, threads,
            s.RetrainPatience);
}
