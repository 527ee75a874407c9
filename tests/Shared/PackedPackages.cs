using System.Security.Cryptography;
using System.Text;

namespace DBusGen.Tests.Shared;

/// <summary>
/// The repository's NuGet packages (DBusGen, DBusGen.Testing, DBusGen.Tool, ...), packed once into a folder that a
/// test can use as a package source. <see cref="PackOnceAsync"/> packs every project under src/ in the solution, in
/// Release, with a version derived from the sources, into <c>$TMPDIR/dbusgen-packages/&lt;key&gt;/</c>, where the key
/// hashes src/, build/ and the root build files. Test processes share the result: whichever comes first packs (under
/// a file lock), the others reuse it, and any edit to those files gives a new key, hence a new version, so a
/// package cache can never serve a stale build of the same version.
/// </summary>
internal static class PackedPackages
{
    /// <summary>The folder holding the .nupkg files, and the version they all carry.</summary>
    public sealed record Feed(string Folder, string Version)
    {
        /// <summary>The package ids present in <see cref="Folder"/>.</summary>
        public IReadOnlyList<string> Ids =>
            Directory.GetFiles(Folder, "*.nupkg")
                .Select(f => Path.GetFileName(f)[..^$".{Version}.nupkg".Length])
                .Order(StringComparer.Ordinal)
                .ToList();

        /// <summary>The path of one package's .nupkg.</summary>
        public string PathOf(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");
    }

    private static readonly string[] s_rootFiles =
        ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "DBusGen.sln", "NuGet.config"];

    private static readonly Lazy<Task<Feed>> s_feed = new(() => Task.Run(PackAsync));

    /// <summary>Packs once (per test process and per source state) and returns the package folder.</summary>
    public static Task<Feed> PackOnceAsync() => s_feed.Value;

    /// <summary>How long the pack itself took in this process; zero when an earlier pack was reused.</summary>
    public static TimeSpan PackTime { get; private set; }

    private static async Task<Feed> PackAsync()
    {
        string root = RepositoryPaths.Root;
        string key = SourceKey(root);
        string cache = Path.Combine(Path.GetTempPath(), "dbusgen-packages");
        string entry = Path.Combine(cache, key);
        var feed = new Feed(Path.Combine(entry, "packages"), $"0.0.0-test.k{key}");
        Directory.CreateDirectory(cache);

        using var fileLock = await LockAsync(Path.Combine(cache, key + ".lock"));
        if (File.Exists(Path.Combine(entry, "complete")))
        {
            return feed;
        }
        if (Directory.Exists(entry))
        {
            Directory.Delete(entry, recursive: true);   // an interrupted pack
        }
        Directory.CreateDirectory(entry);
        RemoveOldEntries(cache, key);

        // A solution filter with the src/ projects: the same projects, properties and references as
        // `dotnet pack DBusGen.sln`, without building the tests. The artifacts path keeps this Release build
        // apart from the checkout's bin/ and obj/, which a developer's build may be using at the same time.
        string filter = Path.Combine(entry, "packages.slnf");
        File.WriteAllText(filter, SolutionFilter(Path.Combine(root, "DBusGen.sln")));
        var result = await DotNetCli.RunAsync(root,
        [
            "pack", filter, "-c", "Release", "-o", feed.Folder, $"-p:Version={feed.Version}",
            "--artifacts-path", Path.Combine(entry, "artifacts"), "-nodeReuse:false",
        ], timeout: TimeSpan.FromMinutes(8));
        result.AssertSuccess();
        PackTime = result.Elapsed;
        File.WriteAllText(Path.Combine(entry, "complete"), result.Elapsed.ToString());
        return feed;
    }

    private static string SolutionFilter(string solution)
    {
        // Project lines look like: Project("{guid}") = "Name", "src\Name\Name.csproj", "{guid}"
        var projects = File.ReadLines(solution)
            .Where(l => l.StartsWith("Project(", StringComparison.Ordinal))
            .Select(l => l.Split('"')[5])
            .Where(p => p.StartsWith("src\\", StringComparison.Ordinal) && p.EndsWith(".csproj", StringComparison.Ordinal))
            .ToList();
        var json = new StringBuilder();
        json.Append("{\"solution\":{\"path\":\"").Append(solution.Replace("\\", "\\\\")).Append("\",\"projects\":[");
        json.AppendJoin(',', projects.Select(p => $"\"{p.Replace("\\", "\\\\")}\""));
        json.Append("]}}");
        return json.ToString();
    }

    private static string SourceKey(string root)
    {
        var files = new List<string>();
        foreach (string folder in new[] { "src", "build" })
        {
            files.AddRange(EnumerateSources(Path.Combine(root, folder)));
        }
        files.AddRange(s_rootFiles.Select(f => Path.Combine(root, f)).Where(File.Exists));
        files.Sort(StringComparer.Ordinal);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(root, file) + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static IEnumerable<string> EnumerateSources(string folder)
    {
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            yield return file;
        }
        foreach (string sub in Directory.EnumerateDirectories(folder))
        {
            if (Path.GetFileName(sub) is not ("bin" or "obj" or "artifacts"))
            {
                foreach (string file in EnumerateSources(sub))
                {
                    yield return file;
                }
            }
        }
    }

    // An exclusive lock between test processes: on Unix, FileShare.None takes an advisory flock.
    private static async Task<FileStream> LockAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);   // another process is packing; its result is what we want
            }
        }
    }

    // Packs of earlier source states are useless once a day old; a running pack holds its lock.
    private static void RemoveOldEntries(string cache, string currentKey)
    {
        foreach (string dir in Directory.GetDirectories(cache))
        {
            if (Path.GetFileName(dir) != currentKey && Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddDays(-1))
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                    File.Delete(dir + ".lock");
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
