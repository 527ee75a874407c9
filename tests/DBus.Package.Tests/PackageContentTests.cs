using System.IO.Compression;
using System.Xml.Linq;
using DBusGen.Tests.Shared;

namespace DBus.Package.Tests;

/// <summary>What the packed .nupkg files hold, and which projects of the solution pack at all.</summary>
public class PackageContentTests
{
    private PackedPackages.Feed _feed = null!;

    [OneTimeSetUp]
    public async Task PackAsync()
    {
        _feed = await PackedPackages.PackOnceAsync();
        TestContext.Progress.WriteLine($"packages {_feed.Version} in {_feed.Folder}; pack took {PackedPackages.PackTime.TotalSeconds:0.0} s (0: reused)");
    }

    [Test]
    public void The_src_projects_pack_to_the_intended_packages_only()
    {
        Assert.That(_feed.Ids, Is.EqualTo(ExpectedIds()));
    }

    [Test]
    public void DBusGen_holds_runtime_docs_generator_analyzers_build_files_readme_and_icon()
    {
        using var package = ZipFile.OpenRead(_feed.PathOf("DBusGen"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();
        Assert.That(entries, Is.SupersetOf(new[]
        {
            "lib/net10.0/DBus.Runtime.dll",
            "lib/net10.0/DBus.Runtime.xml",
            "analyzers/dotnet/cs/DBus.Generator.dll",
            "analyzers/dotnet/cs/DBus.Analyzers.dll",
            "analyzers/dotnet/cs/DBus.Analyzers.CodeFixes.dll",
            "buildTransitive/DBusGen.props",
            "buildTransitive/DBusGen.targets",
            "README.md",
            "icon.png",
        }));
        // Nothing for the Roslyn components in lib/: a user's code never references them.
        Assert.That(entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)),
            Is.EquivalentTo(new[] { "lib/net10.0/DBus.Runtime.dll", "lib/net10.0/DBus.Runtime.xml" }));

        var metadata = Nuspec(package);
        Assert.Multiple(() =>
        {
            Assert.That(metadata.Element(metadata.Name.Namespace + "id")!.Value, Is.EqualTo("DBusGen"));
            Assert.That(metadata.Element(metadata.Name.Namespace + "readme")?.Value, Is.EqualTo("README.md"));
            Assert.That(metadata.Element(metadata.Name.Namespace + "icon")?.Value, Is.EqualTo("icon.png"));
            // No dependency a user must add: not even the Roslyn packages the generator is built against.
            Assert.That(metadata.Descendants(metadata.Name.Namespace + "dependency"), Is.Empty);
        });
    }

    [Test]
    public void DBusGen_Testing_depends_on_the_same_DBusGen_with_its_generator_and_build_files()
    {
        using var package = ZipFile.OpenRead(_feed.PathOf("DBusGen.Testing"));
        Assert.That(package.Entries.Select(e => e.FullName), Does.Contain("lib/net10.0/DBus.Testing.dll"));
        var dependencies = Nuspec(package).Descendants().Where(e => e.Name.LocalName == "dependency").ToList();
        Assert.That(dependencies, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(dependencies[0].Attribute("id")?.Value, Is.EqualTo("DBusGen"));
            Assert.That(dependencies[0].Attribute("version")?.Value, Is.EqualTo(_feed.Version));
            // An exclude of Build or Analyzers would leave a DBusGen.Testing user without the DBusInterface item.
            Assert.That(dependencies[0].Attribute("exclude"), Is.Null);
        });
    }

    [Test]
    public async Task Packing_again_gives_byte_identical_packages()
    {
        // The same build packed twice into two folders: without a fixed zip timestamp every entry would carry the
        // time of packing. (The compilers' output is deterministic already: Deterministic=true.) Both packs are made
        // here, from the build as it is now: the shared feed may come from an earlier run's build of the same sources.
        var packs = new List<string>();
        foreach (string name in new[] { "first", "second" })
        {
            string folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"repacked-{name}-" + _feed.Version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
            (await DotNetCli.RunAsync(RepositoryPaths.Root,
            [
                "pack", "src/DBus.Runtime/DBus.Runtime.csproj", "-c", "Release", "--no-build", "-o", folder,
                $"-p:Version={_feed.Version}", "--artifacts-path", _feed.ArtifactsFolder, "-nodeReuse:false",
            ])).AssertSuccess();
            packs.Add(Path.Combine(folder, Path.GetFileName(_feed.PathOf("DBusGen"))));
        }
        Assert.That(File.ReadAllBytes(packs[1]), Is.EqualTo(File.ReadAllBytes(packs[0])), $"{packs[0]} and {packs[1]} differ");
        foreach (string pack in packs)
        {
            Directory.Delete(Path.GetDirectoryName(pack)!, recursive: true);
        }
    }

    [Test]
    public async Task In_the_whole_solution_only_the_src_packages_are_packable()
    {
        // Asks every project of DBusGen.sln (tests, benchmarks, samples included) for IsPackable and PackageId
        // through one MSBuild run, without building: what `dotnet pack DBusGen.sln` would produce.
        string targets = Path.Combine(TestContext.CurrentContext.WorkDirectory, "report-packable.targets");
        File.WriteAllText(targets, """
            <Project>
              <Target Name="DBusGenReportPackable">
                <Message Importance="high" Text="PACKABLE|$(MSBuildProjectName)|$(IsPackable)|$(PackageId)" />
              </Target>
            </Project>
            """);
        var result = (await DotNetCli.RunAsync(RepositoryPaths.Root,
        [
            "msbuild", "DBusGen.sln", "-t:DBusGenReportPackable", "-nodeReuse:false", "-v:m",
            $"-p:CustomAfterMicrosoftCommonTargets={targets}", $"-p:CustomAfterMicrosoftCommonCrossTargetingTargets={targets}",
        ])).AssertSuccess();

        var reports = result.Output.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("PACKABLE|", StringComparison.Ordinal))
            .Select(l => l.Split('|'))
            .ToList();
        int projects = File.ReadLines(Path.Combine(RepositoryPaths.Root, "DBusGen.sln")).Count(l => l.Contains(".csproj\"", StringComparison.Ordinal));
        Assert.That(reports, Has.Count.EqualTo(projects), result.ToString());
        var packable = reports.Where(r => string.Equals(r[2], "true", StringComparison.OrdinalIgnoreCase)).Select(r => r[3]).Order(StringComparer.Ordinal);
        Assert.That(packable, Is.EqualTo(ExpectedIds()), result.ToString());
    }

    private static IEnumerable<string> ExpectedIds()
    {
        var ids = new List<string> { "DBusGen", "DBusGen.Testing" };
        if (File.Exists(Path.Combine(RepositoryPaths.Root, "src", "DBus.Tool", "DBus.Tool.csproj")))
        {
            ids.Add("DBusGen.Tool");
        }
        return ids.Order(StringComparer.Ordinal);
    }

    private static XElement Nuspec(ZipArchive package)
    {
        var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }
}
