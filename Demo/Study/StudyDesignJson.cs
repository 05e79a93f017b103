namespace Demo.Study;

public sealed record StudyDesignJson(string[] Features, double[] Coefficients, int[] Lags, float Noise, float Phi,
                                     float Correlation, int Steps, bool Binary, int[] TrueRanks)
{
    public static StudyDesignJson Of(StudyDesign d) =>
        new(d.FeatureNames, d.Coefficients, d.Lags, d.Noise, d.Phi, d.Correlation, d.Steps, d.Binary, d.TrueRanks);
}
