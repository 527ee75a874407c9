using DBusGen.Tests.Shared;

namespace DBus.Tool.Tests;

/// <summary>
/// dbusgen as a user gets it: the DBusGen.Tool package from the solution packed once (tests/Shared/PackedPackages,
/// shared with the package tests), installed with <c>dotnet tool install --tool-path</c> into a temporary folder.
/// Done once per test run.
/// </summary>
internal static class InstalledTool
{
    private static readonly Lazy<Task<string>> s_path = new(() => Task.Run(InstallAsync));
    private static string? s_root;

    /// <summary>The installed <c>dbusgen</c> command.</summary>
    public static Task<string> GetPathAsync() => s_path.Value;

    /// <summary>The packed packages the tool came from (DBusGen among them).</summary>
    public static Task<PackedPackages.Feed> GetFeedAsync() => PackedPackages.PackOnceAsync();

    /// <summary>Runs dbusgen with these arguments to its end.</summary>
    public static async Task<ProcessRunner.Result> RunAsync(params string[] arguments) =>
        await ProcessRunner.RunAsync(await GetPathAsync(), arguments, TimeSpan.FromSeconds(60));

    /// <summary>Runs dbusgen with these arguments to its end, <paramref name="input"/> on its standard input.</summary>
    public static async Task<ProcessRunner.Result> RunWithInputAsync(string input, params string[] arguments) =>
        await ProcessRunner.RunAsync(await GetPathAsync(), arguments, TimeSpan.FromSeconds(60), input: input);

    public static void Remove()
    {
        if (s_root is not null && Directory.Exists(s_root))
        {
            Directory.Delete(s_root, recursive: true);
        }
    }

    private static async Task<string> InstallAsync()
    {
        var feed = await GetFeedAsync();
        s_root = Directory.CreateTempSubdirectory("dbusgen-tool-").FullName;
        string tools = Path.Combine(s_root, "tools");

        // Only the packed folder as a source: the tool package carries everything it needs.
        string config = Path.Combine(s_root, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="dbusgen-packed" value="{feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        var install = await DotNetCli.RunAsync(s_root,
            ["tool", "install", "DBusGen.Tool", "--version", feed.Version, "--add-source", feed.Folder, "--configfile", config, "--tool-path", tools],
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(s_root, "packages") },
            TimeSpan.FromMinutes(3));
        install.AssertSuccess();
        string path = Path.Combine(tools, "dbusgen");
        Assert.That(File.Exists(path), Is.True, $"dotnet tool install put no dbusgen in {tools}: {install}");
        TestContext.Progress.WriteLine($"dbusgen {feed.Version}: pack {PackedPackages.PackTime.TotalSeconds:0.0} s (0: reused), install {install.Elapsed.TotalSeconds:0.0} s");
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
