using System.Reflection;

namespace DBusGen.Tests.Shared;

/// <summary>Paths in the checkout, from the RepositoryRoot metadata that tests/Directory.Build.props stamps on every test assembly.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/corpus/xml next to the checkout.</summary>
    public static string CorpusXml => Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus", "xml"));

    private static string FindRoot()
    {
        var value = typeof(RepositoryPaths).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (string.IsNullOrEmpty(value) || !Directory.Exists(value))
        {
            throw new InvalidOperationException($"RepositoryRoot assembly metadata is missing or wrong: '{value}'");
        }
        return Path.GetFullPath(value);
    }
}
