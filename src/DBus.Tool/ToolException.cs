namespace DBus.Tool;

/// <summary>A failure the user caused or can fix (bad argument, missing file): printed as one line, exit code 1.</summary>
internal sealed class ToolException(string message) : Exception(message);
