using DBusGen.Tests.Shared;

namespace DBus.Tool.Tests;

/// <summary>
/// The flow docs/cli.md promises: a brand-new console project referencing the DBusGen package, <c>dbusgen
/// introspect --add-to</c>, <c>dotnet build</c>, and the generated proxy calls the live dbus-python service.
/// </summary>
[TestFixture]
public sealed class AddToBuildTests : ServiceFixture
{
    private string _root = null!;
    private Dictionary<string, string> _environment = null!;

    [SetUp]
    public async Task CreateFolderAsync()
    {
        var feed = await InstalledTool.GetFeedAsync();
        _root = Directory.CreateTempSubdirectory("dbusgen-addto-").FullName;
        // The packed folder first, then the machine's usual feeds; a package cache of its own, so DBusGen can only
        // come from the folder just packed (as in DBus.Package.Tests).
        File.WriteAllText(Path.Combine(_root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="dbusgen-packed" value="{feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        _environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_root, "packages") };
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Introspect_add_to_then_dotnet_build_gives_a_working_proxy()
    {
        var feed = await InstalledTool.GetFeedAsync();
        string projectDirectory = Path.Combine(_root, "AddToApp");
        string project = Path.Combine(projectDirectory, "AddToApp.csproj");
        (await DotNetCli.RunAsync(_root, ["new", "console", "-n", "AddToApp", "-o", projectDirectory], _environment)).AssertSuccess();
        (await DotNetCli.RunAsync(projectDirectory, ["add", project, "package", "DBusGen", "--version", feed.Version], _environment)).AssertSuccess();

        var addTo = await DbusgenAsync("introspect", Service, TestPath, "--add-to", project);
        AssertSucceeded(addTo);
        Assert.That(addTo.Output, Is.EqualTo($"added dbus/{TestInterface}.xml to AddToApp.csproj\n"));
        Assert.That(File.ReadAllBytes(project).AsSpan().StartsWith("\uFEFF"u8), Is.True, "dotnet new's byte order mark is kept");

        // The C# of docs/cli.md, with the bus address from the command line.
        File.WriteAllText(Path.Combine(projectDirectory, "Program.cs"), """
            using AddToApp;
            using DBus;

            await using var connection = await DBusConnection.ConnectAsync(args[0]);
            var test = new TestProxy(connection, "org.dbusgen.TestService", "/org/dbusgen/Test");
            Console.WriteLine(await test.EchoSAsync("hello from the generated proxy"));
            Console.WriteLine(string.Join(",", await test.EchoAiAsync([1, -2, 3])));
            """);
        var build = (await DotNetCli.RunAsync(projectDirectory, ["build", "-nodeReuse:false"], _environment)).AssertSuccess();
        var run = (await DotNetCli.RunAsync(projectDirectory, [Path.Combine("bin", "Debug", "net10.0", "AddToApp.dll"), Bus.Address],
            _environment, TimeSpan.FromMinutes(1))).AssertSuccess();
        TestContext.Progress.WriteLine($"add-to consumer: build {build.Elapsed.TotalSeconds:0.0} s, run {run.Elapsed.TotalSeconds:0.0} s");
        Assert.That(run.Output, Is.EqualTo("hello from the generated proxy\n1,-2,3\n"));
    }
}
