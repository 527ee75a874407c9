namespace DBus.Tool;

/// <summary>Messages cut to one line: the tool never prints a stack trace or a multi-line error.</summary>
internal static class ErrorText
{
    /// <summary>The first line of an exception's message, with its inner exception's when that says more.</summary>
    public static string FirstLineOf(Exception e)
    {
        string message = FirstLine(e.Message);
        return e.InnerException is { } inner && !message.Contains(FirstLine(inner.Message), StringComparison.Ordinal)
            ? message + ": " + FirstLine(inner.Message)
            : message;
    }

    /// <summary>
    /// A D-Bus error message on one line: a Python traceback (dbus-python sends them) shrinks to its last line,
    /// which names the exception; other multi-line messages have their lines joined.
    /// </summary>
    public static string OneLine(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
        {
            return "(no message)";
        }
        return lines[0].StartsWith("Traceback (most recent call last)", StringComparison.Ordinal)
            ? lines[^1]
            : string.Join(" ", lines);
    }

    public static string FirstLine(string text)
    {
        int end = text.IndexOf('\n', StringComparison.Ordinal);
        return end < 0 ? text : text[..end].TrimEnd('\r');
    }
}
