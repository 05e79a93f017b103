using Demo.Data;
using Demo.Reports;
using Engine.Kernels;
using Engine.Layers;
using Engine.Models;
using Xunit;

namespace Demo.Tests.Data;

public class ReportTests
{
    [Fact]
    public void ShippedFontIsRegisteredAsTheChartDefault()
    {
        Plots.RegisterFont();
        Assert.True(File.Exists(Plots.FontFile), Plots.FontFile);
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(Plots.FontFile)!, "LICENSE-DejaVu.txt")));
        Assert.Equal(Plots.FontName, ScottPlot.Fonts.Default);
    }

    [Fact]
    public void ReportWritesEveryChartAndBothDocuments()
    {
        string dir = Directory.CreateTempSubdirectory("report-").FullName;
        try
        {
            string[] features = ["a", "b"];
            var map = new double[,] { { 1, 0 }, { 2, 0.5 }, { 3, 0.1 } };
            var arch = new ModelMetadata
            {
                Features = features, Steps = 3,
                Training = new TrainingInfo
                {
                    Loss = "bce",
                    History = [new EpochLoss(1, 0.7f, 0.72f), new EpochLoss(2, 0.5f, 0.6f)]
                },
            };
            var report = new Report(dir, "test");
            report.AddModel("m.safetensors", arch, new Sequential(2, [new Lstm(2), new Dense(1, Activation.Sigmoid)]));
            report.AddTraining(arch);
            report.AddImportance([
                new MethodOutcome("noisy method", 0.5,
                                  [new FeatureScore("a", 2, 1, 0.1, 0.05, 4, [1.9, 2.1]), new FeatureScore("b", -1, 2)],
                                  Map: map, LagMap: map),
                new MethodOutcome("profile", 0.1, [new FeatureScore("a", 1, 2), new FeatureScore("b", 3, 1)],
                    Curves: [("a", [0, 0.5, 1], [0.1, 0.2, 0.3]), ("b", [0, 0.5, 1], [0.5, 0.4, 0.2])]),
            ], features);
            report.Write();
            Assert.Equal(["training-loss.png", "ranks.png", "importance-noisy-method.png", "map-noisy-method.png",
                          "lag-noisy-method.png", "importance-profile.png", "profile-profile.png"], report.Images);
            string md = File.ReadAllText(Path.Combine(dir, "report.md")),
            html = File.ReadAllText(Path.Combine(dir, "report.html"));
            // the summary's details, units = output width
            Assert.Contains("layers LSTM 2 (tanh / sigmoid) / Dense 1 (sigmoid)", md);
            foreach (var png in report.Images)
            {
                Assert.True(new FileInfo(Path.Combine(dir, png)).Length > 1000, png);
                Assert.Contains($"]({png})", md);
                Assert.Contains($"<img src=\"{png}\"", html);
            }
            // The ranking table: a row per method, a column per feature, and the mean rank.
            Assert.Contains("| noisy method | 1 | 2 |", md);
            Assert.Contains("| **mean rank** | 1.5 | 1.5 |", md);
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
