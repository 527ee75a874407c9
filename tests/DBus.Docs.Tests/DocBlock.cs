using System.Text.RegularExpressions;

namespace DBus.Docs.Tests;

/// <summary>
/// One C# block of a Markdown file. The info string after <c>```csharp</c> may say <c>fragment</c> (not compiled:
/// a deliberate excerpt) or <c>continued</c> (compiled together with the blocks before it in the same file, as one
/// program, like a page that builds up an example step by step).
/// </summary>
internal sealed partial record DocBlock(string File, int Line, string Code, bool IsFragment, bool Continues)
{
    public override string ToString() => $"{File}:{Line}";

    [GeneratedRegex(@"^```csharp(?<info>[^\n]*)\n(?<code>.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();

    public static IEnumerable<DocBlock> Read(string root, string relativePath)
    {
        string text = System.IO.File.ReadAllText(Path.Combine(root, relativePath)).Replace("\r\n", "\n");
        foreach (Match match in Fence().Matches(text))
        {
            var info = match.Groups["info"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int line = text.AsSpan(0, match.Index).Count('\n') + 2;   // the first line of code
            yield return new DocBlock(relativePath, line, match.Groups["code"].Value,
                info.Contains("fragment"), info.Contains("continued"));
        }
    }

    /// <summary>The programs to compile: each block not marked <c>fragment</c>, with the <c>continued</c> ones joined
    /// to the block they continue.</summary>
    public static List<List<DocBlock>> Programs(IEnumerable<DocBlock> blocks)
    {
        var programs = new List<List<DocBlock>>();
        foreach (var block in blocks.Where(b => !b.IsFragment))
        {
            if (block.Continues && programs.Count > 0 && programs[^1][0].File == block.File)
            {
                programs[^1].Add(block);
            }
            else
            {
                programs.Add([block]);
            }
        }
        return programs;
    }
}
