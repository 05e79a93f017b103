using Engine.IO;
using Engine.Tests.IO;
using Xunit;

namespace Demo.Tests.Data;

/// <summary>Issue 11: outputs never replace an input, a device, a FIFO or another output; option values are parsed
/// strictly (invariant culture, no group separators) and refused with one line and exit code 1.</summary>
public class OutputAndOptionTests(CliFixture fx) : IClassFixture<CliFixture>
{
    private string Out(string name) => Path.Combine(fx.Dir, name);

    private string[] Train(string model, params string[] more) =>
        ["train", "--data", fx.Csv, "--target", "alarm", "--model", model,
         .. more.Contains("--epochs") ? [] : new[] { "--epochs", "1" },
         .. more.Contains("--layers") ? [] : new[] { "--layers", "3" }, .. more];

    [Fact]
    public void ModelOverTheTrainingDataIsRefusedByIdentityNotSpelling()
    {
        byte[] before = File.ReadAllBytes(fx.Csv);
        string link = Out("data-link.csv");
        if (!File.Exists(link)) File.CreateSymbolicLink(link, fx.Csv);
        string spelled = Path.Combine(fx.Dir, ".", "sample.csv");
        foreach (var model in new[] { fx.Csv, spelled, link })
            Cli.Bad(Train(model), model, "--model is the same file as --data", "overwritten");
        if (OperatingSystem.IsLinux())
        {
            string hard = Out("data-hard.csv");
            if (!File.Exists(hard)) SpecialFiles.Run("ln", fx.Csv, hard);
            Cli.Bad(Train(hard), "--model is the same file as --data");
        }
        Assert.Equal(before, File.ReadAllBytes(fx.Csv));
    }

    [Fact]
    public void JsonOverTheModelOrTwoOutputsOnOneFileAreRefused()
    {
        byte[] model = File.ReadAllBytes(fx.Model);
        Cli.Bad(["summary", "--model", fx.Model, "--json", fx.Model], "--json is the same file as --model");
        string o = Out("same.safetensors");
        Cli.Bad(Train(o, "--json",
                      Path.Combine(fx.Dir, "sub", "..", "same.safetensors").Replace("/sub/..", "",
                                                                                    StringComparison.Ordinal)),
            "--json is the same file as --model");
        Cli.Bad(Train(o, "--json", o), "--json is the same file as --model");
        Cli.Bad(["predict", "--model", fx.Model, "--data", fx.Csv, "--out", fx.Model],
                "--out is the same file as --model");
        Cli.Bad(["predict", "--model", fx.Model, "--data", fx.Csv, "--out", fx.Csv],
                "--out is the same file as --data");
        Assert.Equal(model, File.ReadAllBytes(fx.Model));
        Assert.False(File.Exists(o));
    }

    [Fact]
    public void DevicesFifosAndDirectoriesAreRefusedAsOutputsBeforeAnyWork()
    {
        if (!OperatingSystem.IsLinux()) return;
        string dir = Directory.CreateTempSubdirectory("special-").FullName;
        try
        {
            string device = SpecialFiles.CharacterDevice(dir), fifo = SpecialFiles.Fifo(dir);
            Cli.Bad(Train(device), device, "--model names a character device");
            Cli.Bad(Train(Out("m1.safetensors"), "--json", fifo), fifo, "--json names a named pipe (FIFO)");
            Cli.Bad(["make-data", "--out", fifo], "--out names a named pipe");
            Cli.Bad(Train(dir), dir, "--model names a directory");
            Cli.Bad(Train(Out("m2.safetensors"), "--report", fifo), fifo, "--report names a named pipe");
            Assert.Equal(FileKind.CharacterDevice, FileStatus.Of(device).Kind);
            Assert.Equal(FileKind.Fifo, FileStatus.Of(fifo).Kind);
            Assert.False(File.Exists(Out("m1.safetensors")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ASymlinkOutputWritesItsTarget()
    {
        string target = Out("real-pred.csv"), link = Out("pred-link.csv");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(link, target);
        Cli.Ok("predict", "--model", fx.Model, "--data", fx.Csv, "--out", link);
        Assert.StartsWith("series,time,line,alarm,prediction", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void AnUnwritableFolderIsFoundBeforeTraining()
    {
        // A folder under a regular file cannot exist; a read-only folder stops a non-root user.
        Cli.Bad(Train(Path.Combine(fx.Csv, "m.safetensors")), "--model", "does not exist");
        if (Environment.UserName == "root" || !OperatingSystem.IsLinux()) return;
        string ro = Directory.CreateDirectory(Out("readonly")).FullName;
        File.SetUnixFileMode(ro, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Cli.Bad(Train(Path.Combine(ro, "m.safetensors")), "cannot write in the folder", ro);
    }

    [Theory]
    [InlineData("--epochs", "abc", "--epochs: 'abc' is not a whole number")]
    [InlineData("--epochs", "1,000", "--epochs: '1,000' is not a whole number")]
    [InlineData("--epochs", "2.5", "--epochs: '2.5' is not a whole number")]
    [InlineData("--epochs", "1\0", "--epochs: '1\\0' is not a whole number")]
    [InlineData("--epochs", "0", "--epochs must be a positive whole number, got 0")]
    [InlineData("--epochs", "2147483647", "--epochs: 2147483647 is over the limit of 1000000")]
    [InlineData("--epochs", "99999999999999999999", "is not a whole number")]
    [InlineData("--batch", "-3", "--batch must be a positive whole number, got -3")]
    [InlineData("--lr", "0,5", "--lr: '0,5' is not a number (write decimals with a point")]
    [InlineData("--lr", "abc", "--lr: 'abc' is not a number")]
    [InlineData("--lr", "Infinity", "--lr: 'Infinity' is not a number")]
    [InlineData("--lr", "0.5\0", "--lr: '0.5\\0' is not a number")]
    [InlineData("--lr", "1e39", "--lr must be a positive number, got '1e39'")]
    [InlineData("--lr", "0", "--lr must be a positive number, got '0'")]
    [InlineData("--validation", "x", "--validation: 'x' is not a number")]
    [InlineData("--validation", "1", "--validation must be in [0, 1), got '1'")]
    [InlineData("--window", "1_0", "--window: '1_0' is not a whole number")]
    [InlineData("--seed", "-1", "--seed: '-1' is not a whole number from 0 to")]
    [InlineData("--seed", "0x10", "--seed: '0x10' is not a whole number")]
    public void BadNumbersAreOneLineWithExitCode1(string option, string value, string message) =>
        Cli.Bad(Train(Out("never.safetensors"), option, value), message);

    [Fact]
    public void BadNumbersOfEveryCommandAreExitCode1()
    {
        string[][] lines =
        [
            ["--epochs", "abc"], ["seed", "--steps-per-epoch", "x"], ["seed", "--noise", "n"], ["seed", "--seed", "s"],
            ["make-data", "--out", Out("d.csv"), "--series", "1e3"],
            ["make-data", "--out", Out("d.csv"), "--steps", "ten"],
            ["importance", "--model", fx.Model, "--data", fx.Csv, "--repeats", "1.5"],
            ["importance", "--model", fx.Model, "--data", fx.Csv, "--noise", "0,2"],
            ["importance", "--model", fx.Model, "--data", fx.Csv, "--threads", "two"],
            ["importance", "--model", fx.Model, "--data", fx.Csv, "--retrain-epochs", "e"],
            ["study", "--replicates", "r"], ["study", "--phi", "p"], ["study", "--epochs", "5x"],
        ];
        foreach (var args in lines) Cli.Bad(args, "is not a");
        Assert.False(File.Exists(Out("d.csv")));
    }

    [Fact]
    public void AnEmptyLayerSizeIsRefusedNotSkipped()
    {
        // `--layers 4,,2` trained LSTM 4 -> LSTM 2 without a word: a size left out by a typo changes the network.
        Assert.Equal("error: --layers: '4,,2' has an empty size (give sizes like 10,5,1)",
                     Cli.Bad(Train(Out("gap.safetensors"), "--layers", "4,,2")));
        Cli.Bad(Train(Out("gap.safetensors"), "--layers", "4,2,"), "'4,2,' has an empty size");
        Cli.Bad(Train(Out("gap.safetensors"), "--layers", ",4"), "',4' has an empty size");
        Assert.False(File.Exists(Out("gap.safetensors")));
        Cli.Ok(Train(Out("gap.safetensors"), "--layers", " 4, 2 "));
    }

    [Fact]
    public void SizesThatWouldNotFitMemoryAreRefusedUpFront()
    {
        Cli.Bad(Train(Out("big.safetensors"), "--layers", "46341"), "--layers", "over the limit of");
        Cli.Bad(Train(Out("big.safetensors"), "--layers", "99999999999"), "--layers", "is not a positive whole number");
        Cli.Bad(["make-data", "--out", Out("big.csv"), "--series", "1000000", "--steps", "1000"], "--series x --steps",
                "limit");
        Assert.False(File.Exists(Out("big.safetensors")));
    }
}
