using DBusGen.Tests.Shared;

namespace DBus.Tool.Tests;

/// <summary>
/// The flow docs/cli.md promises: a brand-new console project, <c>dbusgen introspect --add-to</c>, <c>dotnet build</c>,
/// and the generated proxy calls the live dbus-python service.
/// </summary>
[TestFixture]
public sealed class AddToBuildTests : ServiceFixture
{
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(5);
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("dbusgen-addto-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Introspect_add_to_then_dotnet_build_gives_a_working_proxy()
    {
        string projectDirectory = Path.Combine(_directory, "AddToApp");
        var create = await ProcessRunner.RunAsync("dotnet", ["new", "console", "-n", "AddToApp", "-o", projectDirectory], s_buildTimeout);
        Assert.That(create.ExitCode, Is.Zero, create.ToString());
        string project = Path.Combine(projectDirectory, "AddToApp.csproj");
        ReferenceDBusGen(project);

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
        var build = await ProcessRunner.RunAsync("dotnet", ["build", project, "-c", "Debug"], s_buildTimeout, projectDirectory);
        Assert.That(build.ExitCode, Is.Zero, build.ToString());

        var run = await ProcessRunner.RunAsync("dotnet", [Path.Combine(projectDirectory, "bin", "Debug", "net10.0", "AddToApp.dll"), Bus.Address], Timeout);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Is.EqualTo("hello from the generated proxy\n1,-2,3\n"));
    }

    /// <summary>
    /// References DBusGen from this checkout, the way docs/generator.md describes for a project outside the
    /// package: build/DBusGen.props and .targets imported, the runtime referenced, the generator as an analyzer.
    /// </summary>
    private static void ReferenceDBusGen(string project)
    {
        string root = RepositoryPaths.Root;
        string text = File.ReadAllText(project);
        text = text.Replace("<Project Sdk=\"Microsoft.NET.Sdk\">", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{Path.Combine(root, "build", "DBusGen.props")}" />
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(root, "src", "DBus.Runtime", "DBus.Runtime.csproj")}" />
                <ProjectReference Include="{Path.Combine(root, "src", "DBus.Generator", "DBus.Generator.csproj")}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
            """, StringComparison.Ordinal);
        text = text.Replace("</Project>", $"""
              <Import Project="{Path.Combine(root, "build", "DBusGen.targets")}" />
            </Project>
            """, StringComparison.Ordinal);
        // Kept with dotnet new's byte order mark, which dbusgen must keep too.
        File.WriteAllText(project, text, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
    }
}
