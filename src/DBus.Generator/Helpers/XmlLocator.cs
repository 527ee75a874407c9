using System;
using System.Collections.Generic;
using System.Xml;
using System.Xml.Linq;
using DBus.Generator.Model;
using Microsoft.CodeAnalysis.Text;

namespace DBus.Generator.Helpers;

/// <summary>
/// Turns the 1-based line/column that <see cref="IXmlLineInfo"/> gives into Roslyn spans over the file
/// text, widened to the thing being blamed: an element's start tag name, an attribute with its value,
/// or one character inside an attribute value.
/// </summary>
internal sealed class XmlLocator
{
    private readonly string _path;
    private readonly string _text;
    private readonly List<int> _lineStarts = new() { 0 };

    public XmlLocator(string path, string text)
    {
        _path = path;
        _text = text;
        // Line breaks as XML counts them: \r\n, \r and \n.
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                _lineStarts.Add(i + 1);
            }
            else if (c == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public LocationInfo FileStart => LocationInfo.FileStart(_path);

    /// <summary>One character at a 1-based line and column (as an XmlException reports it).</summary>
    public LocationInfo At(int line, int column)
    {
        int start = Offset(line, column);
        return Span(start, Math.Min(start + 1, _text.Length));
    }

    /// <summary>A range of the text by offsets.</summary>
    public LocationInfo Range(int start, int end) => Span(start, end);

    /// <summary>The start tag of an element: from '&lt;' to the end of its name.</summary>
    public LocationInfo Element(XElement element)
    {
        if (!TryOffset(element, out int nameStart))
        {
            return FileStart;
        }
        int start = nameStart > 0 && _text[nameStart - 1] == '<' ? nameStart - 1 : nameStart;
        int end = nameStart;
        while (end < _text.Length && !char.IsWhiteSpace(_text[end]) && _text[end] != '/' && _text[end] != '>')
        {
            end++;
        }
        return Span(start, end);
    }

    /// <summary>An attribute from its name to its closing quote.</summary>
    public LocationInfo Attribute(XAttribute attribute)
    {
        if (!TryOffset(attribute, out int start))
        {
            return attribute.Parent is { } parent ? Element(parent) : FileStart;
        }
        return FindValue(start, out _, out int end) ? Span(start, end) : Span(start, start);
    }

    /// <summary>
    /// The character at <paramref name="index"/> inside an attribute's value (its closing quote when the
    /// index is the value's length); the whole attribute when the raw value holds entity references,
    /// whose offsets would not match.
    /// </summary>
    public LocationInfo AttributeValueChar(XAttribute attribute, int index)
    {
        if (!TryOffset(attribute, out int start) || !FindValue(start, out int valueStart, out int end))
        {
            return Attribute(attribute);
        }
        int valueEnd = end - 1;
        if (_text.IndexOf('&', valueStart, valueEnd - valueStart) >= 0 || index < 0 || index > valueEnd - valueStart)
        {
            return Span(start, end);
        }
        int at = valueStart + index;
        return Span(at, Math.Min(at + 1, end));
    }

    /// <summary>An element's name attribute if it has one, else the element.</summary>
    public LocationInfo NameOf(XElement element) =>
        element.Attribute("name") is { } name ? Attribute(name) : Element(element);

    private bool FindValue(int attributeStart, out int valueStart, out int end)
    {
        valueStart = end = 0;
        int i = _text.IndexOf('=', attributeStart);
        if (i < 0)
        {
            return false;
        }
        i++;
        while (i < _text.Length && char.IsWhiteSpace(_text[i]))
        {
            i++;
        }
        if (i >= _text.Length || (_text[i] != '"' && _text[i] != '\''))
        {
            return false;
        }
        char quote = _text[i];
        valueStart = i + 1;
        int close = _text.IndexOf(quote, valueStart);
        if (close < 0)
        {
            return false;
        }
        end = close + 1;
        return true;
    }

    private bool TryOffset(IXmlLineInfo info, out int offset)
    {
        offset = 0;
        if (!info.HasLineInfo())
        {
            return false;
        }
        offset = Offset(info.LineNumber, info.LinePosition);
        return offset < _text.Length;
    }

    private int Offset(int line, int column)
    {
        if (line < 1)
        {
            return 0;
        }
        if (line > _lineStarts.Count)
        {
            return _text.Length;
        }
        int offset = _lineStarts[line - 1] + Math.Max(column - 1, 0);
        return Math.Min(offset, _text.Length);
    }

    private LocationInfo Span(int start, int end) =>
        new(_path, TextSpan.FromBounds(start, end), new LinePositionSpan(Position(start), Position(end)));

    private LinePosition Position(int offset)
    {
        int index = _lineStarts.BinarySearch(offset);
        int line = index >= 0 ? index : ~index - 1;
        return new LinePosition(line, offset - _lineStarts[line]);
    }
}
