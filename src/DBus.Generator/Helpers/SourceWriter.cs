using System;
using System.Text;

namespace DBus.Generator.Helpers;

/// <summary>
/// A minimal indenting text writer for emitted C#: four spaces per level, '\n' line endings, nothing
/// culture-dependent.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public void Indent() => _indent++;

    public void Unindent() => _indent = Math.Max(0, _indent - 1);

    public void OpenBrace()
    {
        WriteLine("{");
        Indent();
    }

    public void CloseBrace(string suffix = "")
    {
        Unindent();
        WriteLine("}" + suffix);
    }

    public void WriteLine() => _sb.Append('\n');

    public void WriteLine(string line)
    {
        if (line.Length > 0)
        {
            _sb.Append(' ', _indent * 4);
            _sb.Append(line);
        }
        _sb.Append('\n');
    }

    /// <summary>Writes text that may span lines, indenting each one.</summary>
    public void WriteLines(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            WriteLine(line);
        }
    }

    public override string ToString() => _sb.ToString();
}
