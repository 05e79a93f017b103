namespace Demo.Data;

/// <summary>How to read series out of a long-format CSV table.</summary>
/// <param name="Target">Target column, or several comma-separated ("a,b": k numeric targets, when no column has that
/// whole name); null when the data is only predicted on and has no target.</param>
/// <param name="Features">Feature columns; null for every other numeric column.</param>
/// <param name="SeriesColumn">Series-id column; null for the first column named series or id, if any.</param>
/// <param name="TimeColumn">Time column; null for the first column named time or t, if any (else file order).</param>
/// <param name="Window">Cut each series (or the whole file, without a series column) into windows of this many
/// steps.</param>
/// <param name="TargetOptional">When true a missing target column is not an error (predict).</param>
/// <param name="Classes">Null: the target is a number. Otherwise the target holds class labels (any text, numbers
/// too), read as text and one-hot encoded: empty to take the classes from the data (the distinct labels, sorted as
/// strings, ordinal), or the model's classes (a label not among them is an error naming its line).</param>
public sealed record DataOptions(string? Target, string[]? Features, string? SeriesColumn, string? TimeColumn,
                                 int? Window,
                                 bool TargetOptional = false, string? Model = null, string[]? Classes = null);
