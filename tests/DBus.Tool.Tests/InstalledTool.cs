using System.Reflection;

using DBusGen.Tests.Shared;

namespace DBus.Tool.Tests;

/// <summary>
/// dbusgen as a user gets it: the DBusGen.Tool package, packed from this build with a version of its own,
/// installed with <c>dotnet tool install --tool-path</c> into a temporary folder. Done once per test run.
/// </summary>
internal static class InstalledTool
{
    private static readonly Lazy<Task<string>> s_path = new(InstallAsync);
    private static string? s_root;

    /// <summary>The installed <c>dbusgen</c> command.</summary>
    public static Task<string> GetPathAsync() => s_path.Value;

    /// <summary>Runs dbusgen with these arguments to its end.</summary>
    public static async Task<ProcessRunner.Result> RunAsync(params string[] arguments) =>
        await ProcessRunner.RunAsync(await GetPathAsync(), arguments, TimeSpan.FromSeconds(60));

    public static void Remove()
    {
        if (s_root is not null && Directory.Exists(s_root))
        {
            Directory.Delete(s_root, recursive: true);
        }
    }

    private static async Task<string> InstallAsync()
    {
        s_root = Directory.CreateTempSubdirectory("dbusgen-tool-").FullName;
        string packages = Path.Combine(s_root, "packages");
        string tools = Path.Combine(s_root, "tools");
        string version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        string configuration = typeof(InstalledTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "Configuration").Value!;

        // The tool project was built with this test project (a ProjectReference), so packing needs no build.
        var pack = await ProcessRunner.RunAsync("dotnet",
            ["pack", Path.Combine(RepositoryPaths.Root, "src", "DBus.Tool", "DBus.Tool.csproj"), "--no-build", "-c", configuration,
             "-p:PackageVersion=" + version, "-o", packages],
            TimeSpan.FromMinutes(3));
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet pack of the tool failed: " + pack);
        }

        // Only the folder as a source: the install reaches no package registry.
        string config = Path.Combine(s_root, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var install = await ProcessRunner.RunAsync("dotnet",
            ["tool", "install", "DBusGen.Tool", "--version", version, "--add-source", packages, "--configfile", config, "--tool-path", tools],
            TimeSpan.FromMinutes(3));
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException("dotnet tool install failed: " + install);
        }
        string path = Path.Combine(tools, "dbusgen");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"dotnet tool install put no dbusgen in {tools}: {install}");
        }
        return path;
    }
}

/// <summary>Removes the installed tool after the last test of the run.</summary>
[SetUpFixture]
public sealed class InstalledToolCleanup
{
    [OneTimeTearDown]
    public void RemoveTool() => InstalledTool.Remove();
}
