using System.Globalization;
using System.Text.Json;

namespace DBus.Tool.Tests;

/// <summary>
/// Compares two JSON documents as values: objects as unordered maps, arrays in order, integers exactly and
/// other numbers as the doubles they denote (busctl prints 0.1 as 1.000000000000000055511e-01).
/// </summary>
internal static class JsonValues
{
    public static bool AreEqual(JsonElement a, JsonElement b, out string difference, string where = "$")
    {
        difference = "";
        if (a.ValueKind != b.ValueKind)
        {
            difference = $"{where}: {a.ValueKind} {a.GetRawText()} vs {b.ValueKind} {b.GetRawText()}";
            return false;
        }
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var left = a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                var right = b.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                if (!left.Keys.ToHashSet().SetEquals(right.Keys))
                {
                    difference = $"{where}: keys {string.Join(",", left.Keys)} vs {string.Join(",", right.Keys)}";
                    return false;
                }
                foreach (var (name, value) in left)
                {
                    if (!AreEqual(value, right[name], out difference, where + "." + name))
                    {
                        return false;
                    }
                }
                return true;
            case JsonValueKind.Array:
                var leftItems = a.EnumerateArray().ToList();
                var rightItems = b.EnumerateArray().ToList();
                if (leftItems.Count != rightItems.Count)
                {
                    difference = $"{where}: {leftItems.Count} items vs {rightItems.Count}";
                    return false;
                }
                for (int i = 0; i < leftItems.Count; i++)
                {
                    if (!AreEqual(leftItems[i], rightItems[i], out difference, $"{where}[{i}]"))
                    {
                        return false;
                    }
                }
                return true;
            case JsonValueKind.Number:
                if (!NumbersEqual(a.GetRawText(), b.GetRawText()))
                {
                    difference = $"{where}: {a.GetRawText()} vs {b.GetRawText()}";
                    return false;
                }
                return true;
            case JsonValueKind.String:
                if (a.GetString() != b.GetString())
                {
                    difference = $"{where}: {a.GetRawText()} vs {b.GetRawText()}";
                    return false;
                }
                return true;
            default:
                return true;
        }
    }

    public static void AssertEqual(string expected, string actual)
    {
        using var e = JsonDocument.Parse(expected);
        using var a = JsonDocument.Parse(actual);
        Assert.That(AreEqual(e.RootElement, a.RootElement, out string difference), Is.True,
            $"JSON values differ at {difference}\nexpected: {expected}\nactual:   {actual}");
    }

    private static bool NumbersEqual(string a, string b)
    {
        if (long.TryParse(a, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long la)
            && long.TryParse(b, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long lb))
        {
            return la == lb;
        }
        if (ulong.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out ulong ua)
            && ulong.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out ulong ub))
        {
            return ua == ub;
        }
        return double.Parse(a, CultureInfo.InvariantCulture) == double.Parse(b, CultureInfo.InvariantCulture);
    }
}
