namespace Engine.Training;

/// <summary>Where training is, reported after every step.</summary>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, float MeanLoss);
