using System.CommandLine;
using System.Text;
using Demo.Commands;

namespace Demo;

/// <summary>Entry point: wires the commands. Exit codes: 0 success, 1 bad input or usage, 2 internal failure.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.OutputEncoding = Encoding.UTF8;
        try
        {
            return BuildRoot().Parse(args).Invoke();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"internal error: {e.Message}");
            return 2;
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("LSTM engine demo: reproduces the reference experiment (default) and ranks the inputs of an LSTM.");
        SeedCommand.AddOptions(root);
        root.SetAction(parse => SeedCommand.Run(parse));

        var seed = new Command("seed", "The reference experiment: train the 10/5/1 LSTM and print the perturbation importance.");
        SeedCommand.AddOptions(seed);
        seed.SetAction(parse => SeedCommand.Run(parse));
        root.Subcommands.Add(seed);
        return root;
    }
}
