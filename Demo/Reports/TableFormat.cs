namespace Demo.Reports;

/// <summary>How a command prints its results (<c>--format</c>): a table fitted to the console, CSV or
/// markdown.</summary>
public enum TableFormat
{
    Table,
    Csv,
    Markdown,
}
