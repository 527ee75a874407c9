using DBus.Testing;
using DBusGen.Tests.Shared;

namespace DBus.Samples.Tests;

/// <summary>samples/NativeAot published as its project says (PublishAot), then the native binary run against a bus.</summary>
public class NativeAotSampleTests
{
    [Test]
    public async Task Publishes_without_trim_or_aot_warnings_to_a_native_binary_that_talks_to_a_bus()
    {
        string output = Directory.CreateTempSubdirectory("dbusgen-aot-").FullName;
        try
        {
            // The documented command; -o only puts the binary where this test can find and then remove it.
            var publish = (await DotNetCli.RunAsync(RepositoryPaths.Root,
                ["publish", "samples/NativeAot", "-c", "Release", "-r", "linux-x64", "-o", output, "-nodeReuse:false"],
                timeout: TimeSpan.FromMinutes(8))).AssertSuccess();
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
            Directory.Delete(output, recursive: true);
        }
    }
}
