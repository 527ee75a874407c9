using DBusGen.Tests.Shared;

namespace DBus.Package.Tests;

/// <summary>
/// The package as a user meets it: a console project outside the repository (Consumer/ copied to a temporary
/// folder) with PackageReferences to DBusGen and DBusGen.Testing and a DBusInterface item, restored from the packed
/// folder into a package cache of its own, so the build can only see what the packages carry.
/// </summary>
public class ConsumerTests
{
    private string _root = null!;
    private Dictionary<string, string> _environment = null!;
    private PackedPackages.Feed _feed = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _feed = await PackedPackages.PackOnceAsync();
        _root = Directory.CreateTempSubdirectory("dbusgen-consumer-").FullName;

        // The packed folder first, and the machine's usual feeds after it (inherited from the user's NuGet config).
        File.WriteAllText(Path.Combine(_root, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="dbusgen-packed" value="{_feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        // Gives the consumer its package version, and stops MSBuild's search for Directory.Build.props at this folder.
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), $"""
            <Project>
              <PropertyGroup>
                <DBusGenVersion>{_feed.Version}</DBusGenVersion>
              </PropertyGroup>
            </Project>
            """);
        // An empty package cache: the DBusGen packages can only come from the folder just packed. They have no
        // dependencies and a net10.0 console project needs no other package, so the restore stays fast.
        _environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_root, "packages") };
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        if (_root is not null && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Test]
    public async Task A_fresh_project_builds_from_the_package_and_calls_a_private_bus_service_through_the_generated_proxy()
    {
        string project = CopyConsumer("plain");

        var restore = (await DotNetCli.RunAsync(project, ["restore", "-nodeReuse:false"], _environment)).AssertSuccess();
        Assert.That(Directory.Exists(Path.Combine(_root, "packages", "dbusgen", _feed.Version)), Is.True,
            "DBusGen was restored into the consumer's own package cache");
        var build = (await DotNetCli.RunAsync(project, ["build", "--no-restore", "-nodeReuse:false"], _environment)).AssertSuccess();
        var run = (await DotNetCli.RunAsync(project, [Path.Combine("bin", "Debug", "net10.0", "Consumer.dll")], _environment,
            TimeSpan.FromMinutes(1))).AssertSuccess();
        TestContext.Progress.WriteLine(
            $"consumer: restore {restore.Elapsed.TotalSeconds:0.0} s, build {build.Elapsed.TotalSeconds:0.0} s, run {run.Elapsed.TotalSeconds:0.0} s");

        Assert.That(run.Output, Does.Contain("RequestName: PrimaryOwner")
            .And.Contain("Add(2, 40) = 42")
            .And.Contain("Precision = 32")
            .And.Contain("Next = 1, then 2"), run.ToString());
    }

    [Test]
    public async Task A_bad_constant_signature_in_the_consumer_fails_its_build_with_DBG2001()
    {
        string project = CopyConsumer("with-mistake");
        File.WriteAllText(Path.Combine(project, "Mistake.cs"), """
            internal static class Mistake
            {
                public static DBus.Signature Wrong => new DBus.Signature("a{vs}");
            }
            """);

        var build = await DotNetCli.RunAsync(project, ["build", "-nodeReuse:false"], _environment);
        TestContext.Progress.WriteLine($"consumer with a mistake: restore and build {build.Elapsed.TotalSeconds:0.0} s");

        Assert.That(build.ExitCode, Is.Not.Zero, build.ToString());
        Assert.That(build.Output, Does.Match(@"Mistake\.cs\(3,\d+\): error DBG2001: 'a\{vs\}' is not a valid D-Bus signature"), build.ToString());
    }

    // Copies Consumer/ to <root>/<parent>/Consumer, under the nuget.config and Directory.Build.props of the root.
    private string CopyConsumer(string parent)
    {
        string source = Path.Combine(RepositoryPaths.Root, "tests", "DBus.Package.Tests", "Consumer");
        string target = Path.Combine(_root, parent, "Consumer");
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }
            string destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
        return target;
    }
}
