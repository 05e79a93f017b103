namespace Engine.IO;

/// <summary>How error messages quote what the user gave: one line, at most a bounded number of characters.</summary>
internal static class ErrorText
{
    /// <summary>The longest error line the programs print (a crafted input never makes a longer one). Long enough
    /// for the complete lists messages give on ordinary input: all fourteen importance methods, twenty column names
    /// of 17 characters.</summary>
    public const int MaxLine = 500;

    /// <summary>
    /// <paramref name="text"/> in single quotes, control characters (line breaks, NUL) shown as \n, \0, \xNN, cut to
    /// <paramref name="max"/> characters with "..." and the full length when longer.
    /// </summary>
    public static string Quote(string text, int max = 40)
    {
        string shown = Escape(text.Length > max ? text[..max] : text);
        return text.Length > max ? $"'{shown}'... ({text.Length} characters)" : $"'{shown}'";
    }

    /// <summary>A message on one line of at most <see cref="MaxLine"/> characters: line breaks become spaces, other
    /// control characters escapes, and a longer message is cut with "...".</summary>
    public static string Line(string message)
    {
        string one = Escape(message.ReplaceLineEndings(" "));
        return one.Length <= MaxLine ? one : string.Concat(one.AsSpan(0, MaxLine - 3), "...");
    }

    /// <summary>
    /// An exception's message for the user: an <see cref="ArgumentException"/>'s without the " (Parameter 'name')"
    /// that .NET appends (the name of a code parameter means nothing to the user).
    /// </summary>
    public static string Message(Exception e)
    {
        string suffix = e is ArgumentException { ParamName: { } name } ? $" (Parameter '{name}')" : "";
        return suffix.Length > 0 && e.Message.EndsWith(suffix, StringComparison.Ordinal)
            ? e.Message[..^suffix.Length] : e.Message;
    }

    // Control characters as \n, \r, \t, \0 or \xNN.
    private static string Escape(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ when char.IsControl(c) => $"\\x{(int)c:X2}",
                _ => c.ToString(),
            });
        return sb.ToString();
    }
}
