using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace DBus.Generator.Naming;

/// <summary>
/// The C# base name of each interface in one file: the last dotted segment in PascalCase; when two
/// interfaces would share it, the later one takes more segments (<c>org.a.Foo</c> and <c>org.b.Foo</c>
/// give <c>Foo</c> and <c>BFoo</c>), then a number.
/// </summary>
internal sealed class InterfaceNamer
{
    private readonly NameScope _scope = new(new string[0]);

    public string Claim(string interfaceName, string? rename)
    {
        if (rename is not null && _scope.IsFree(rename))
        {
            _scope.Claim(rename);
            return rename;
        }
        string[] segments = interfaceName.Split('.');
        string first = "";
        for (int take = 1; take <= segments.Length; take++)
        {
            var sb = new StringBuilder();
            for (int i = segments.Length - take; i < segments.Length; i++)
            {
                sb.Append(Identifiers.ToPascalCase(segments[i], ""));
            }
            string candidate = sb.Length == 0 ? "Unnamed" : Identifiers.ToPascalCase(sb.ToString(), "Unnamed");
            if (take == 1)
            {
                first = rename ?? candidate;
            }
            if (_scope.IsFree(candidate))
            {
                _scope.Claim(candidate);
                return candidate;
            }
        }
        for (int n = 2; ; n++)
        {
            string candidate = first + n.ToString(CultureInfo.InvariantCulture);
            if (_scope.IsFree(candidate))
            {
                _scope.Claim(candidate);
                return candidate;
            }
        }
    }
}
