namespace Demo.Study;

/// <summary>The study's JSON document (property names become snake_case keys).</summary>
public sealed record StudyJson(StudyDesignJson Design, StudySettingsJson Settings, double Seconds,
                               List<ReplicateJson> Replicates, List<PathJson> Paths, List<MethodJson> Methods);
