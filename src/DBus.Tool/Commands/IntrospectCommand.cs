using System.CommandLine;
using System.Xml.Linq;

using DBus.Tool.Introspection;

namespace DBus.Tool.Commands;

/// <summary>
/// <c>dbusgen introspect</c>: a live object's introspection XML, to stdout, a file, one file per interface,
/// or straight into a project as DBusInterface items.
/// </summary>
internal static class IntrospectCommand
{
    public static Command Create()
    {
        var destination = CommonArguments.Destination();
        var path = CommonArguments.ObjectPath();
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write to this file instead of stdout; with --recursive, the directory for one file per interface (default: the current directory).",
            HelpName = "FILE",
        };
        var recursive = new Option<bool>("--recursive")
        {
            Description = "Follow child nodes and write one <interface>.xml file per interface found.",
        };
        var addTo = new Option<string?>("--add-to")
        {
            Description = "Write each interface to dbus/<interface>.xml beside this project file and add a <DBusInterface> item for it (idempotent).",
            HelpName = "PROJECT.csproj",
        };
        var includeStandard = new Option<bool>("--include-standard")
        {
            Description = "Keep the org.freedesktop.DBus.* standard interfaces (left out by default).",
        };
        var command = new Command("introspect", "Print or save the introspection XML of a live object. With --add-to, the service's interfaces become part of a project: the next dotnet build generates their typed proxies.")
        {
            destination, path, output, recursive, addTo, includeStandard,
        }.With(
            "dbusgen introspect org.freedesktop.Notifications /org/freedesktop/Notifications --add-to App.csproj",
            "dbusgen introspect org.freedesktop.systemd1 /org/freedesktop/systemd1 --system --recursive -o xml/");
        CommandRunner.SetAction(command, async (result, cancellationToken) =>
        {
            string dest = result.GetValue(destination)!;
            var objectPath = CommonArguments.ParsePath(result.GetValue(path)!);
            string? outputPath = result.GetValue(output);
            string? project = result.GetValue(addTo);
            bool standard = result.GetValue(includeStandard);
            if (project is not null && outputPath is not null)
            {
                throw new ToolException("--add-to writes into the project's dbus/ folder: leave out -o");
            }
            if (project is not null && !File.Exists(project))
            {
                throw new ToolException($"the project file {project} does not exist");
            }

            await using var connection = await BusOptions.ConnectAsync(result, cancellationToken);
            if (!result.GetValue(recursive) && project is null)
            {
                var document = await ObjectWalker.IntrospectAsync(connection, dest, objectPath, cancellationToken);
                string xml = document.ToXml(standard);
                if (outputPath is null)
                {
                    Console.Out.Write(xml);
                }
                else
                {
                    WriteIfChanged(outputPath, xml);
                }
                return 0;
            }

            var objects = result.GetValue(recursive)
                ? await ObjectWalker.WalkAsync(connection, dest, objectPath, cancellationToken)
                : [(objectPath, await ObjectWalker.IntrospectAsync(connection, dest, objectPath, cancellationToken))];
            var interfaces = DistinctInterfaces(objects.Select(o => o.Document), standard);
            if (interfaces.Count == 0)
            {
                throw new ToolException($"{dest} has no {(standard ? "" : "non-standard ")}interface at {objectPath}{(result.GetValue(recursive) ? " or below" : "")}");
            }
            return project is null
                ? WriteFiles(outputPath ?? ".", interfaces)
                : AddToProject(project, interfaces);
        });
        return command;
    }

    /// <summary>The first definition of each interface name, in the order found.</summary>
    private static List<(string Name, XElement Element)> DistinctInterfaces(IEnumerable<IntrospectionDocument> documents, bool includeStandard)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<(string, XElement)>();
        foreach (var document in documents)
        {
            foreach (var element in document.Interfaces(includeStandard))
            {
                string name = (string?)element.Attribute("name") ?? "";
                if (name.Length > 0 && name.IndexOfAny(['/', '\\']) < 0 && seen.Add(name))
                {
                    result.Add((name, element));
                }
            }
        }
        return result;
    }

    private static int WriteFiles(string directory, List<(string Name, XElement Element)> interfaces)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, element) in interfaces)
        {
            string file = Path.Combine(directory, name + ".xml");
            WriteIfChanged(file, IntrospectionDocument.ToInterfaceFile(element));
            Console.Out.WriteLine(file);
        }
        return 0;
    }

    private static int AddToProject(string project, List<(string Name, XElement Element)> interfaces)
    {
        string projectDirectory = Path.GetDirectoryName(Path.GetFullPath(project))!;
        Directory.CreateDirectory(Path.Combine(projectDirectory, "dbus"));
        var includes = new List<string>();
        foreach (var (name, element) in interfaces)
        {
            string include = "dbus/" + name + ".xml";
            WriteIfChanged(Path.Combine(projectDirectory, "dbus", name + ".xml"), IntrospectionDocument.ToInterfaceFile(element));
            includes.Add(include);
        }
        var added = ProjectFileEditor.AddInterfaces(project, includes);
        foreach (string include in includes)
        {
            Console.Out.WriteLine(added.Contains(include)
                ? $"added {include} to {Path.GetFileName(project)}"
                : $"updated {include} (already in {Path.GetFileName(project)})");
        }
        return 0;
    }

    /// <summary>Leaves a file with the same content untouched, so a second run changes nothing, not even a timestamp.</summary>
    private static void WriteIfChanged(string path, string content)
    {
        try
        {
            if (File.Exists(path) && File.ReadAllText(path) == content)
            {
                return;
            }
            File.WriteAllText(path, content);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot write {path}: {e.Message}");
        }
    }
}
