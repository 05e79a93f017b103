namespace Demo.Data;

/// <summary>
/// Bad input from the user (a file, a column, an option value): printed as one line on stderr, exit code 1.
/// The message names the file, the line or column, and what was wrong.
/// </summary>
public sealed class InputException(string message) : Exception(message);
