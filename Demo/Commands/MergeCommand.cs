using System.CommandLine;
using Demo.Data;
using Demo.Sharding;

namespace Demo.Commands;

/// <summary>
/// <c>demo merge --work-dir D</c>: the results of a sharded run (docs/SCALE.md) from its finished work items, written
/// as the original command writes them (table, <c>--json</c>, <c>--report</c>, <c>--format</c>): the command line
/// stored in D's manifest is run again in merge mode, which computes nothing and refuses while an item is missing.
/// </summary>
public static class MergeCommand
{
    private static readonly Option<string?> WorkDirectory = ShardOptions.WorkDir(required: true);
    private static readonly Option<string?> Report = CommandOptions.Report();
    private static readonly Option<string?> Json = CommandOptions.Json();
    private static readonly Option<string> Format = CommandOptions.Format();

    /// <summary>The commands that shard, by name: their parser and their merge-mode run.</summary>
    private static readonly Dictionary<string, (Func<Command> Build, Func<ParseResult, bool, int> Run)> Mergeable =
        new(StringComparer.Ordinal)
        {
            ["study"] = (StudyCommand.Build, StudyCommand.Run),
            ["importance"] = (ImportanceCommand.Build, ImportanceCommand.Run),
        };

    public static Command Build()
    {
        var command = new Command("merge",
                                  "Write the results of a run sharded over machines (--shard) from its work " +
                                  "directory, as the single-machine run writes them.");
        foreach (Option o in new Option[] { WorkDirectory, Json, Report, Format }) command.Options.Add(o);
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        string path = parse.GetValue(WorkDirectory)!;
        var dir = WorkDir.Load(path);
        string name = dir.Manifest.Command[0];
        if (!Mergeable.TryGetValue(name, out var target))
            throw new InputException($"{Path.Combine(path, WorkDir.ManifestName)}: command '{name}' does not shard");
        var args = new List<string>(dir.Manifest.Command[1..]) { "--work-dir", path };
        if (parse.GetValue(Json) is { } json) args.AddRange(["--json", json]);
        if (parse.GetValue(Report) is { } report) args.AddRange(["--report", report]);
        args.AddRange(["--format", parse.GetValue(Format)!]);
        var original = target.Build().Parse(args);
        if (original.Errors.Count > 0)
            throw new InputException($"{Path.Combine(path, WorkDir.ManifestName)}: its command line does not parse: " +
                                     $"{original.Errors[0].Message}");
        return target.Run(original, true);
    }
}
