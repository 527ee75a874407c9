using System.Text;
using System.Text.RegularExpressions;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace DBusGen.Tests.Shared;

/// <summary>
/// Verify-style snapshots: each generated file is compared with <c>{name}.verified.cs</c> in a folder
/// of the test project. On a mismatch a <c>{name}.received.cs</c> is written beside it and the test fails
/// with a line diff. <c>DBUSGEN_ACCEPT=1</c> accepts the received output instead. The generator version
/// is scrubbed so that a version bump changes no snapshot.
/// </summary>
internal static partial class Snapshot
{
    public const string AcceptVariable = "DBUSGEN_ACCEPT";

    private static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    [GeneratedRegex("""GeneratedCode\("DBusGen", "[^"]*"\)""")]
    private static partial Regex VersionPattern();

    public static string Scrub(string text) =>
        VersionPattern().Replace(text.Replace("\r\n", "\n"), "GeneratedCode(\"DBusGen\", \"<version>\")");

    /// <summary>
    /// Verifies a whole set of files (name → text) against <paramref name="directory"/>: every file must
    /// match its snapshot and no snapshot may be left without a file.
    /// </summary>
    public static void VerifyAll(string directory, IReadOnlyDictionary<string, string> files)
    {
        Directory.CreateDirectory(directory);
        var failures = new StringBuilder();
        foreach (var (name, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (Check(directory, name, Scrub(text)) is { } failure)
            {
                failures.AppendLine(failure);
            }
        }
        foreach (var verified in Directory.GetFiles(directory, "*.verified.cs"))
        {
            string name = Path.GetFileName(verified)[..^".verified.cs".Length];
            if (!files.ContainsKey(name))
            {
                if (Accepting)
                {
                    File.Delete(verified);
                }
                else
                {
                    failures.AppendLine($"{verified}: snapshot without generated file (delete it or run with {AcceptVariable}=1)");
                }
            }
        }
        if (failures.Length > 0)
        {
            Assert.Fail(failures.ToString());
        }
    }

    private static string? Check(string directory, string name, string actual)
    {
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return null;
        }
        if (Accepting)
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return null;
        }
        File.WriteAllText(received, actual);
        return expected is null
            ? $"{verified}: no snapshot yet; received output written to {received} (accept with {AcceptVariable}=1)"
            : $"{verified}: generated code differs; received output written to {received}\n{Diff(expected, actual)}";
    }

    private static string Diff(string expected, string actual)
    {
        var diff = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < diff.Lines.Count && shown < 60; i++)
        {
            var line = diff.Lines[i];
            string? prefix = line.Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => null,
            };
            if (prefix is null)
            {
                continue;
            }
            sb.Append(prefix).Append(line.Position?.ToString() ?? "").Append(": ").AppendLine(line.Text);
            shown++;
        }
        return sb.ToString();
    }
}
