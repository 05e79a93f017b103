using System.CommandLine;
using System.Text;
using Demo.Commands;
using Demo.Data;
using Engine.IO;
using Engine.Models;
using Engine.Training;
using Spectre.Console;

namespace Demo;

/// <summary>
/// Entry point: wires the commands. Exit codes: 0 success, 1 bad input or usage, 2 internal failure,
/// <see cref="Stopped"/> (130) stopped by Ctrl-C with the finished results written and marked incomplete.
/// </summary>
public static class Program
{
    /// <summary>The exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Stopped = 130;

    public static int Main(string[] args)
    {
        Console.OutputEncoding = Encoding.UTF8;
        // Tables in logs and pipes: at least 120 columns, so rows do not wrap at the 80-column default.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120);
        return Run(args, Console.Error);
    }

    /// <summary>
    /// Parses and runs a command line. Usage errors and bad input print one line to <paramref name="error"/> and return
    /// 1;
    /// anything else that goes wrong prints one line and returns 2. Never a stack trace.
    /// </summary>
    public static int Run(string[] args, TextWriter error)
    {
        DemoConsole.Error = error;
        try
        {
            var parse = BuildRoot().Parse(args);
            if (parse.Errors.Count > 0)
            {
                // One line, no help page after it: the help is one --help away.
                var c = parse.CommandResult.Command;
                // demo, or rnn-importance as the .NET tool (its build's assembly name, docs/PACKAGING.md).
                string program = typeof(Program).Assembly.GetName().Name ?? "demo";
                string command = c is RootCommand ? program : $"{program} {c.Name}";
                string errors = string.Join("; ", parse.Errors.Select(e =>
                    string.Join(' ',
                                e.Message.Split((char[])['\t', '\r', '\n', ' '],
                                                StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.')));
                error.WriteLine(ErrorText.Line($"error: {errors} (see {command} --help)"));
                return 1;
            }
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Error = error });
        }
        catch (Exception e) when (e is InputException or ModelFormatException or TrainingDivergedException
                                       or FileWriteException)
        {
            // Bad input, a diverged run, no space left or a permission lost after the early checks: the user's to fix.
            error.WriteLine(ErrorText.Line($"error: {e.Message}"));
            return 1;
        }
        catch (Exception e)
        {
            error.WriteLine(ErrorText.Line($"internal error ({e.GetType().Name}): {e.Message}"));
            return 2;
        }
    }

    /// <summary>Every subcommand, in the order help lists them: adding a command is one line here.</summary>
    public static IReadOnlyList<Command> Commands() =>
    [
        ReferenceCommand.Build(), MakeDataCommand.Build(), TrainCommand.Build(), PredictCommand.Build(),
        ImportanceCommand.Build(), ExplainCommand.Build(), SummaryCommand.Build(), StudyCommand.Build(),
        ImportCommand.Build(), MergeCommand.Build(),
    ];

    /// <summary>The root command: the reference experiment with no subcommand, and <see cref="Commands"/>.</summary>
    public static RootCommand BuildRoot()
    {
        var root =
            new RootCommand("LSTM engine demo: reproduces the reference experiment (default), and trains, predicts " +
                            "and ranks the inputs of LSTMs on your own CSV data.");
        ReferenceCommand.AddTo(root);
        foreach (var command in Commands())
        {
            // --version on every command, not only the root (it prints the program's version, as `demo --version`).
            command.Options.Add(new VersionOption());
            root.Subcommands.Add(command);
        }
        CommandOptions.UseStrictNumbers(root);
        return root;
    }
}
