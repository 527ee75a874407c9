using System.Collections.Generic;
using System.Text;
using DBus.Generator.Naming;
using static DBus.Generator.DBusGenerator.Parser;

namespace DBus.Generator.Helpers;

/// <summary>
/// Re-serializes one parsed interface as introspection XML, the way a server answers Introspect:
/// members in document order, every argument with an explicit direction on methods, annotations kept
/// except documentation and our own, no comments, two-space indentation.
/// </summary>
internal static class IntrospectionXmlWriter
{
    public static string Write(string interfaceName, List<(string Name, string Value)> annotations, List<RawMember> members)
    {
        var sb = new StringBuilder();
        sb.Append("<interface name=\"").Append(Escape(interfaceName)).Append("\">\n");
        foreach (var member in members)
        {
            string tag = member.Kind switch
            {
                MemberKind.Method => "method",
                MemberKind.Property => "property",
                _ => "signal",
            };
            sb.Append("  <").Append(tag).Append(" name=\"").Append(Escape(member.Name)).Append('"');
            if (member.Kind == MemberKind.Property)
            {
                sb.Append(" type=\"").Append(Escape(member.Type!)).Append("\" access=\"").Append(member.AccessText).Append('"');
            }
            if (member.AllArgs.Count == 0 && member.Annotations.Kept.Count == 0)
            {
                sb.Append("/>\n");
                continue;
            }
            sb.Append(">\n");
            foreach (var arg in member.AllArgs)
            {
                sb.Append("    <arg");
                if (arg.Name is not null)
                {
                    sb.Append(" name=\"").Append(Escape(arg.Name)).Append('"');
                }
                sb.Append(" type=\"").Append(Escape(arg.Type)).Append('"');
                if (member.Kind == MemberKind.Method)
                {
                    sb.Append(" direction=\"").Append(arg.IsOut ? "out" : "in").Append('"');
                }
                if (arg.Annotations.Kept.Count == 0)
                {
                    sb.Append("/>\n");
                    continue;
                }
                sb.Append(">\n");
                AppendAnnotations(sb, arg.Annotations.Kept, "      ");
                sb.Append("    </arg>\n");
            }
            AppendAnnotations(sb, member.Annotations.Kept, "    ");
            sb.Append("  </").Append(tag).Append(">\n");
        }
        AppendAnnotations(sb, annotations, "  ");
        sb.Append("</interface>\n");
        return sb.ToString();
    }

    private static void AppendAnnotations(StringBuilder sb, List<(string Name, string Value)> annotations, string indent)
    {
        foreach (var (name, value) in annotations)
        {
            sb.Append(indent).Append("<annotation name=\"").Append(Escape(name)).Append("\" value=\"").Append(Escape(value)).Append("\"/>\n");
        }
    }

    private static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\n': sb.Append("&#10;"); break;
                case '\r': sb.Append("&#13;"); break;
                case '\t': sb.Append("&#9;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
