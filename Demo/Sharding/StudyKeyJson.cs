using Demo.Study;

namespace Demo.Sharding;

/// <summary>What a study's settings hash covers: the program's version and every setting but the thread
/// count.</summary>
public sealed record StudyKeyJson(string Program, StudyDesignJson Design, StudySettingsJson Settings,
                                  IReadOnlyList<string> Methods);
