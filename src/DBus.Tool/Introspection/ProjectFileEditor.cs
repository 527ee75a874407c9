using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace DBus.Tool.Introspection;

/// <summary>
/// Adds <c>&lt;DBusInterface Include="…" /&gt;</c> items to a project file, keeping the rest of the file as it
/// was: an item already there (same path, either slash) is left alone, so running twice changes nothing.
/// </summary>
internal static class ProjectFileEditor
{
    /// <summary>Adds the items missing from the project; returns the ones it added.</summary>
    /// <exception cref="ToolException">The project file is missing or is not an MSBuild project.</exception>
    public static IReadOnlyList<string> AddInterfaces(string projectPath, IReadOnlyList<string> includes)
    {
        XDocument document;
        bool byteOrderMark;
        try
        {
            byteOrderMark = File.ReadAllBytes(projectPath).AsSpan().StartsWith(Encoding.UTF8.Preamble);
            document = XDocument.Load(projectPath, LoadOptions.PreserveWhitespace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or XmlException)
        {
            throw new ToolException($"cannot read the project file {projectPath}: {e.Message}");
        }
        var project = document.Root;
        if (project is null || project.Name.LocalName != "Project")
        {
            throw new ToolException($"{projectPath} is not an MSBuild project file (its root element is not <Project>)");
        }
        XNamespace ns = project.Name.Namespace;
        var existing = project.Descendants(ns + "DBusInterface")
            .Select(e => Normalize((string?)e.Attribute("Include") ?? ""))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = includes.Where(i => !existing.Contains(Normalize(i))).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (missing.Count == 0)
        {
            return missing;
        }

        // Next to the DBusInterface items already there, else in a new ItemGroup.
        var group = project.Descendants(ns + "DBusInterface").Select(e => e.Parent).FirstOrDefault(p => p?.Name == ns + "ItemGroup");
        string itemIndent = "    ";
        if (group is null)
        {
            group = new XElement(ns + "ItemGroup", new XText("\n  "));
            // Before the Imports that close the file (a checkout's build/DBusGen.targets turns the DBusInterface
            // items declared above it into AdditionalFiles), else at the end.
            var closingImports = project.Elements().Reverse().TakeWhile(e => e.Name == ns + "Import").ToList();
            if (closingImports.Count > 0)
            {
                closingImports[^1].AddBeforeSelf(group, new XText("\n\n  "));
            }
            else if (project.LastNode is XText trailing && string.IsNullOrWhiteSpace(trailing.Value))
            {
                trailing.AddBeforeSelf(new XText("\n  "), group);
            }
            else
            {
                project.Add(new XText("\n  "), group, new XText("\n"));
            }
        }
        else if (group.Elements().LastOrDefault()?.PreviousNode is XText indent && string.IsNullOrWhiteSpace(indent.Value))
        {
            itemIndent = indent.Value.TrimStart('\r', '\n');
        }
        foreach (string include in missing)
        {
            var item = new XElement(ns + "DBusInterface", new XAttribute("Include", include));
            var lastElement = group.Elements().LastOrDefault();
            if (lastElement is null)
            {
                group.AddFirst(new XText("\n" + itemIndent), item);
            }
            else
            {
                lastElement.AddAfterSelf(new XText("\n" + itemIndent), item);
            }
        }

        var settings = new XmlWriterSettings
        {
            OmitXmlDeclaration = document.Declaration is null,
            // Written back as it was read: dotnet new writes a byte order mark, hand-written files often have none.
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: byteOrderMark),
        };
        using (var writer = XmlWriter.Create(projectPath, settings))
        {
            document.Save(writer);
        }
        return missing;
    }

    private static string Normalize(string include)
    {
        string path = include.Replace('\\', '/');
        return path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
    }
}
