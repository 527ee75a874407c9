using SharpFuzz;

// Descriptors, credentials and keyring permissions: Linux only, as the runtime.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace DBus.Fuzz.Tests;

/// <summary>
/// The entry point afl-fuzz runs (build/fuzz.sh), next to the suite's own runs of the same targets:
/// <list type="bullet">
/// <item><c>afl TARGET</c>: SharpFuzz's (out-of-process) fork server; each input read from stdin goes through the target.</item>
/// <item><c>seeds TARGET DIR</c>: writes the target's seeds into DIR (afl-fuzz's -i), and its tokens to DIR.dict.</item>
/// <item><c>run TARGET FILE...</c>: runs the target over saved inputs (AFL's crashes), printing what escapes.</item>
/// </list>
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine($"usage: afl TARGET | seeds TARGET DIR | run TARGET FILE...; targets: {string.Join(", ", FuzzTargets.All)}");
            return 2;
        }
        var target = FuzzTargets.Get(args[1]);
        switch (args[0])
        {
            case "afl":
                // Out of process: a crash that ends the process (a stack overflow) or a hang that afl-fuzz kills does
                // not take the fork server with it.
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var memory = new MemoryStream();
                    stream.CopyTo(memory);
                    _ = target(memory.ToArray());
                });
                return 0;
            case "seeds" when args.Length == 3:
                Directory.CreateDirectory(args[2]);
                var seeds = Seeds.For(args[1]);
                for (int i = 0; i < seeds.Count; i++)
                {
                    File.WriteAllBytes(Path.Combine(args[2], $"seed-{i:D3}"), seeds[i]);
                }
                File.WriteAllLines(args[2].TrimEnd('/') + ".dict",
                    Seeds.Tokens(args[1]).Select((t, i) => $"token{i}=\"{string.Concat(t.Select(c => c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : $"\\x{(int)c:x2}"))}\""));
                Console.WriteLine($"{seeds.Count} seeds in {args[2]}");
                return 0;
            case "run":
                int failures = 0;
                foreach (string file in args.Skip(2))
                {
                    try
                    {
                        Console.WriteLine($"{file}: {(target(File.ReadAllBytes(file)) ? "accepted" : "rejected")}");
                    }
                    catch (Exception e)
                    {
                        failures++;
                        Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                    }
                }
                return failures == 0 ? 0 : 1;
            default:
                Console.Error.WriteLine($"unknown command '{args[0]}'");
                return 2;
        }
    }
}
