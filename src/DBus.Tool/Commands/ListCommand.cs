using System.CommandLine;

namespace DBus.Tool.Commands;

/// <summary><c>dbusgen list</c>: the names on the bus with their owners and processes, like busctl list.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var activatable = new Option<bool>("--activatable") { Description = "Also list names the bus can start on demand." };
        var command = new Command("list", "List the names on the bus: well-known names with their owner, and unique connection names.")
        {
            activatable,
        }.With(
            "dbusgen list --system");
        CommandRunner.SetAction(command, async (result, cancellationToken) =>
        {
            await using var connection = await BusOptions.ConnectAsync(result, cancellationToken);
            var names = (await connection.ListNamesAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            var startable = result.GetValue(activatable)
                ? (await connection.ListActivatableNamesAsync(cancellationToken)).Where(n => !names.Contains(n)).ToArray()
                : [];
            var rows = new List<string[]> { new[] { "NAME", "PID", "PROCESS", "CONNECTION" } };
            // Well-known names first (like busctl), each group in ordinal order.
            foreach (string name in names.OrderBy(n => n.StartsWith(':')).ThenBy(n => n, StringComparer.Ordinal))
            {
                rows.Add(await DescribeAsync(connection, name, cancellationToken));
            }
            rows.AddRange(startable.Order(StringComparer.Ordinal).Select(n => new[] { n, "-", "-", "(activatable)" }));
            PrintTable(rows);
            return 0;
        });
        return command;
    }

    private static async Task<string[]> DescribeAsync(DBusConnection connection, string name, CancellationToken cancellationToken)
    {
        try
        {
            string owner = name.StartsWith(':') ? name : await connection.GetNameOwnerAsync(name, cancellationToken);
            uint pid = await connection.GetConnectionUnixProcessIdAsync(name, cancellationToken);
            return [name, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), ProcessName(pid), owner];
        }
        catch (DBusException)
        {
            // The name went away between ListNames and now, or the bus does not know its process.
            return [name, "-", "-", "-"];
        }
    }

    private static string ProcessName(uint pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "-";
        }
    }

    private static void PrintTable(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.Out.WriteLine(string.Join(" ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))));
        }
    }
}
