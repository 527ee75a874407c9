using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace DBus.Generator.Model;

/// <summary>
/// A place in an XML file, kept as plain values so models stay equatable; turned into a Roslyn
/// <see cref="Location"/> only when a diagnostic is reported.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    /// <summary>The start of a file: for problems that belong to the whole file.</summary>
    public static LocationInfo FileStart(string path) =>
        new(path, new TextSpan(0, 0), new LinePositionSpan(LinePosition.Zero, LinePosition.Zero));
}
