using DBus.Testing;
using DBusGen.Tests.Shared;

namespace DBus.Samples.Tests;

/// <summary>samples/NativeAot published as its project says (PublishAot), then the native binary run against a bus.</summary>
public class NativeAotSampleTests
{
    [Test]
    public async Task Publishes_without_trim_or_aot_warnings_to_a_native_binary_that_talks_to_a_bus()
    {
        string work = Directory.CreateTempSubdirectory("dbusgen-aot-").FullName;
        string output = Path.Combine(work, "publish");
        try
        {
            // The documented command. -o puts the binary where this test finds it; the artifacts path keeps this
            // Release build out of the checkout's obj/ folders, which other test processes may be reading meanwhile.
            var publish = (await DotNetCli.RunAsync(RepositoryPaths.Root,
            [
                "publish", "samples/NativeAot", "-c", "Release", "-r", "linux-x64", "-o", output,
                "--artifacts-path", Path.Combine(work, "artifacts"), "-nodeReuse:false",
            ], timeout: TimeSpan.FromMinutes(8))).AssertSuccess();
            TestContext.Progress.WriteLine($"NativeAot publish: {publish.Elapsed.TotalSeconds:0.0} s");
            Assert.That(publish.Output, Does.Not.Contain("warning"), publish.ToString());

            string binary = Path.Combine(output, "NativeAot");
            Assert.That(File.Exists(binary), Is.True, "the native binary");
            Assert.That(File.Exists(Path.Combine(output, "NativeAot.dll")), Is.False, "no IL assembly beside it");

            await using var bus = await PrivateBus.StartAsync();
            var run = (await DotNetCli.RunProgramAsync(binary, output, [bus.UnixAddress], timeout: TimeSpan.FromMinutes(1))).AssertSuccess();
            Assert.That(run.Output, Does.Match(@"Connected to bus [0-9a-f]{32} as :1\.\d+")
                .And.Contain("device = 'speakers'")
                .And.Contain("muted = false")
                .And.Contain("volume = 0.75")
                .And.Contain("Count = 3"), run.ToString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Test]
    public async Task A_global_PublishAot_does_not_reach_the_netstandard2_0_generator_and_analyzer_projects()
    {
        // `dotnet publish samples/Quickstart -c Release -r linux-x64 -p:PublishAot=true` passes PublishAot to every
        // referenced project; the netstandard2.0 Roslyn projects used to fail the restore with NETSDK1207. The
        // restore is where it failed, so a restore with the same global properties proves the fix without a
        // second native compile.
        string work = Directory.CreateTempSubdirectory("dbusgen-aot-restore-").FullName;
        try
        {
            var restore = await DotNetCli.RunAsync(RepositoryPaths.Root,
            [
                "restore", "samples/Quickstart", "-r", "linux-x64", "-p:PublishAot=true", "-p:Configuration=Release",
                $"-p:ArtifactsPath={Path.Combine(work, "artifacts")}", "-p:UseArtifactsOutput=true", "-nodeReuse:false",
            ]);
            Assert.That(restore.Output, Does.Not.Contain("NETSDK1207"), restore.ToString());
            restore.AssertSuccess();
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
