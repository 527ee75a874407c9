using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using DBus.Generator.Diagnostics;
using DBus.Generator.Model;
using DBus.Generator.Naming;
using DBus.Shared;

namespace DBus.Generator;

public sealed partial class DBusGenerator
{
    internal sealed partial class Parser
    {
        private static readonly HashSet<string> s_blockDocElements = new(StringComparer.Ordinal)
        {
            "para", "p", "item", "term", "definition", "li", "summary", "description", "br", "list", "ul", "ol",
        };

        /// <summary>A member as read from XML, before C# naming.</summary>
        internal sealed class RawMember
        {
            public RawMember(MemberKind kind, string name, XElement element, ParsedAnnotations annotations, string? doc)
            {
                Kind = kind;
                Name = name;
                Element = element;
                Annotations = annotations;
                Doc = doc;
            }

            public MemberKind Kind { get; }
            public string Name { get; }
            public XElement Element { get; }
            public ParsedAnnotations Annotations { get; }
            public string? Doc { get; }
            /// <summary>Method in arguments, or signal arguments.</summary>
            public List<RawArg> InArgs { get; } = new();
            public List<RawArg> OutArgs { get; } = new();
            /// <summary>Methods: every argument in document order (for the introspection XML).</summary>
            public List<RawArg> AllArgs { get; } = new();
            public string? Type { get; set; }
            public string? CSharpType { get; set; }
            public PropertyAccess Access { get; set; }
            public string AccessText { get; set; } = "";
            public ChangedSignalKind EmitsChanged { get; set; }
            public bool IsDuplicate { get; set; }
        }

        /// <summary>An argument as read from XML.</summary>
        internal sealed class RawArg
        {
            public RawArg(string? name, string type, string cSharpType, bool isOut, ParsedAnnotations annotations, string? doc)
            {
                Name = name;
                Type = type;
                CSharpType = cSharpType;
                IsOut = isOut;
                Annotations = annotations;
                Doc = doc;
            }

            public string? Name { get; }
            public string Type { get; }
            public string CSharpType { get; }
            public bool IsOut { get; }
            public ParsedAnnotations Annotations { get; }
            public string? Doc { get; }
        }

        /// <summary>The annotations of one element that the generator understands, plus those it passes on.</summary>
        internal sealed class ParsedAnnotations
        {
            public bool Deprecated { get; set; }
            public bool NoReply { get; set; }
            public ChangedSignalKind? EmitsChanged { get; set; }
            public string? DocString { get; set; }
            public string? Rename { get; set; }
            /// <summary><c>org.dbusgen.PooledArrays</c> on this element, and where its value is.</summary>
            public bool? Pooled { get; set; }
            public LocationInfo? PooledLocation { get; set; }
            /// <summary><c>org.dbusgen.ValueTasks</c> on this element, and where its value is.</summary>
            public bool? ValueTasks { get; set; }
            public LocationInfo? ValueTasksLocation { get; set; }
            /// <summary>Annotations kept in the served introspection XML (all but documentation and ours).</summary>
            public List<(string Name, string Value)> Kept { get; } = new();
        }

        private RawMember? ParseMethod(XElement element)
        {
            if (!TryMemberName(element, "method", out string name))
            {
                return null;
            }
            string what = $"method '{name}'";
            var annotations = ReadAnnotations(element);
            var member = new RawMember(MemberKind.Method, name, element, annotations, ReadDoc(element) ?? annotations.DocString);
            bool ok = true;
            foreach (var child in element.Elements())
            {
                if (IsDBus(child, "arg"))
                {
                    var arg = ParseArg(child, what, member.AllArgs.Count, isSignal: false);
                    if (arg is null)
                    {
                        ok = false;
                        continue;
                    }
                    member.AllArgs.Add(arg);
                    (arg.IsOut ? member.OutArgs : member.InArgs).Add(arg);
                }
                else
                {
                    CheckUnknown(child, element, "annotation");
                }
            }
            if (!ok)
            {
                return null;
            }
            if (member.Annotations.NoReply && member.OutArgs.Count > 0)
            {
                Report(DiagnosticDescriptors.NoReplyWithOutArgs, _locator.NameOf(element), name);
            }
            return member;
        }

        private RawMember? ParseSignal(XElement element)
        {
            if (!TryMemberName(element, "signal", out string name))
            {
                return null;
            }
            var annotations = ReadAnnotations(element);
            var member = new RawMember(MemberKind.Signal, name, element, annotations, ReadDoc(element) ?? annotations.DocString);
            bool ok = true;
            foreach (var child in element.Elements())
            {
                if (IsDBus(child, "arg"))
                {
                    var arg = ParseArg(child, $"signal '{name}'", member.InArgs.Count, isSignal: true);
                    if (arg is null)
                    {
                        ok = false;
                        continue;
                    }
                    member.InArgs.Add(arg);
                    member.AllArgs.Add(arg);
                }
                else
                {
                    CheckUnknown(child, element, "annotation");
                }
            }
            return ok ? member : null;
        }

        private RawMember? ParseProperty(XElement element, ChangedSignalKind interfaceDefault)
        {
            if (!TryMemberName(element, "property", out string name))
            {
                return null;
            }
            string what = $"property '{name}'";
            var annotations = ReadAnnotations(element);
            var member = new RawMember(MemberKind.Property, name, element, annotations, ReadDoc(element) ?? annotations.DocString)
            {
                EmitsChanged = annotations.EmitsChanged ?? interfaceDefault,
            };
            foreach (var child in element.Elements())
            {
                CheckUnknown(child, element, "annotation");
            }

            if (!TryType(element, what, what, out string type, out string cSharpType))
            {
                return null;
            }
            member.Type = type;
            member.CSharpType = cSharpType;

            var access = element.Attribute("access");
            if (access is null)
            {
                Report(DiagnosticDescriptors.MissingAttribute, _locator.Element(element), "property", "access", what);
                return null;
            }
            switch (access.Value.Trim().ToLowerInvariant())
            {
                case "read": member.Access = PropertyAccess.Read; break;
                case "write": member.Access = PropertyAccess.Write; break;
                case "readwrite": member.Access = PropertyAccess.ReadWrite; break;
                default:
                    Report(DiagnosticDescriptors.UnknownAccess, _locator.Attribute(access), access.Value, name);
                    return null;
            }
            member.AccessText = access.Value.Trim().ToLowerInvariant();
            return member;
        }

        private bool TryMemberName(XElement element, string kind, out string name)
        {
            var attribute = element.Attribute("name");
            name = attribute?.Value ?? "";
            if (attribute is null || name.Length == 0)
            {
                Report(DiagnosticDescriptors.MissingAttribute, _locator.Element(element), kind, "name", "the " + kind);
                return false;
            }
            if (DBusNameValidator.ValidateMemberName(name) is { } why)
            {
                Report(DiagnosticDescriptors.InvalidName, _locator.Attribute(attribute),
                    char.ToUpperInvariant(kind[0]) + kind.Substring(1), name, why);
            }
            return true;
        }

        private RawArg? ParseArg(XElement element, string owner, int index, bool isSignal)
        {
            string? name = element.Attribute("name")?.Value;
            if (name is { Length: 0 })
            {
                name = null;
            }
            string what = name is null
                ? $"argument {index.ToString(System.Globalization.CultureInfo.InvariantCulture)} of {owner}"
                : $"argument '{name}' of {owner}";
            var annotations = ReadAnnotations(element);
            foreach (var child in element.Elements())
            {
                CheckUnknown(child, element, "annotation");
            }

            bool isOut = false;
            if (element.Attribute("direction") is { } direction)
            {
                switch (direction.Value.Trim().ToLowerInvariant())
                {
                    case "in": break;
                    case "out": isOut = !isSignal; break;
                    default:
                        Report(DiagnosticDescriptors.UnknownDirection, _locator.Attribute(direction), direction.Value, owner);
                        return null;
                }
            }
            if (!TryType(element, what, owner, out string type, out string cSharpType))
            {
                return null;
            }
            return new RawArg(name, type, cSharpType, isOut, annotations, ReadDoc(element) ?? annotations.DocString);
        }

        private bool TryType(XElement element, string what, string skipped, out string type, out string cSharpType)
        {
            cSharpType = "";
            var attribute = element.Attribute("type");
            type = attribute?.Value ?? "";
            if (attribute is null)
            {
                Report(DiagnosticDescriptors.MissingAttribute, _locator.Element(element), element.Name.LocalName, "type", skipped);
                return false;
            }
            var error = SignatureParser.TryParseSingle(type, out var node);
            if (error is not null || node is null)
            {
                int position = error?.Position ?? 0;
                Report(DiagnosticDescriptors.InvalidSignature, _locator.AttributeValueChar(attribute, position),
                    type, what, error?.Reason ?? "not a single complete type",
                    position.ToString(System.Globalization.CultureInfo.InvariantCulture), skipped);
                return false;
            }
            cSharpType = TypeMapper.ToCSharp(node);
            return true;
        }

        private ParsedAnnotations ReadAnnotations(XElement element)
        {
            var result = new ParsedAnnotations();
            foreach (var annotation in element.Elements().Where(e => IsDBus(e, "annotation")))
            {
                var nameAttribute = annotation.Attribute("name");
                var valueAttribute = annotation.Attribute("value");
                if (nameAttribute is null || nameAttribute.Value.Length == 0)
                {
                    Report(DiagnosticDescriptors.MissingAttribute, _locator.Element(annotation), "annotation", "name", "the annotation");
                    continue;
                }
                string name = nameAttribute.Value;
                string value = valueAttribute?.Value ?? "";
                var valueLocation = valueAttribute is null ? _locator.Element(annotation) : _locator.Attribute(valueAttribute);
                switch (name)
                {
                    case DeprecatedAnnotation:
                        result.Deprecated = ReadBool(name, value, valueLocation);
                        break;
                    case NoReplyAnnotation:
                        result.NoReply = ReadBool(name, value, valueLocation);
                        break;
                    case EmitsChangedAnnotation:
                        result.EmitsChanged = value.Trim().ToLowerInvariant() switch
                        {
                            "true" => ChangedSignalKind.True,
                            "invalidates" => ChangedSignalKind.Invalidates,
                            "const" => ChangedSignalKind.Const,
                            "false" => ChangedSignalKind.False,
                            _ => InvalidAnnotation<ChangedSignalKind?>(name, value, "'true', 'invalidates', 'const' or 'false'", valueLocation, null),
                        };
                        break;
                    case DocStringAnnotation:
                        result.DocString = NormalizeDoc(value);
                        continue;
                    case PooledArraysAnnotation:
                        result.Pooled = ReadBool(name, value, valueLocation);
                        result.PooledLocation = valueLocation;
                        continue;
                    case ValueTasksAnnotation:
                        result.ValueTasks = ReadBool(name, value, valueLocation);
                        result.ValueTasksLocation = valueLocation;
                        continue;
                    case RenameAnnotation:
                        if (Identifiers.IsValidUserIdentifier(value))
                        {
                            result.Rename = value;
                        }
                        else
                        {
                            Report(DiagnosticDescriptors.InvalidCSharpName, valueLocation, value);
                        }
                        continue;
                }
                if (name.StartsWith(DocStringAnnotation, StringComparison.Ordinal) || name.StartsWith("org.dbusgen.", StringComparison.Ordinal))
                {
                    continue;
                }
                result.Kept.Add((name, value));
            }
            return result;
        }

        /// <summary>A file's true/false item metadata (<c>PooledArrays</c>, <c>ValueTasks</c>): null when absent.</summary>
        private bool? FileFlag(string metadata, string value) =>
            value.Trim().Length == 0 ? null : ReadBool($"the {metadata} metadata", value, _locator.FileStart);

        private bool ReadBool(string name, string value, LocationInfo location) => value.Trim().ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => InvalidAnnotation(name, value, "'true' or 'false'", location, false),
        };

        private T InvalidAnnotation<T>(string name, string value, string expected, LocationInfo location, T fallback)
        {
            Report(DiagnosticDescriptors.InvalidAnnotationValue, location, name, value, expected);
            return fallback;
        }

        /// <summary>
        /// Documentation from a <c>&lt;doc:doc&gt;</c> (its summary when there is one) or a Telepathy
        /// <c>&lt;tp:docstring&gt;</c> child, as plain text on one line.
        /// </summary>
        private static string? ReadDoc(XElement element)
        {
            foreach (var child in element.Elements())
            {
                if (child.Name.Namespace == XNamespace.None)
                {
                    continue;
                }
                string local = child.Name.LocalName;
                if (local == "doc")
                {
                    var summary = child.Descendants().FirstOrDefault(d => d.Name.LocalName == "summary")
                        ?? child.Descendants().FirstOrDefault(d => d.Name.LocalName == "description");
                    return NormalizeDoc(TextOf(summary ?? child));
                }
                if (local == "docstring")
                {
                    return NormalizeDoc(TextOf(child));
                }
            }
            return null;
        }

        private static string TextOf(XElement element)
        {
            var sb = new StringBuilder();
            foreach (var node in element.DescendantNodes())
            {
                if (node is XText text)
                {
                    sb.Append(text.Value);
                }
                else if (node is XElement e && s_blockDocElements.Contains(e.Name.LocalName))
                {
                    sb.Append(' ');
                }
            }
            return sb.ToString();
        }

        private static string? NormalizeDoc(string text)
        {
            var sb = new StringBuilder(text.Length);
            bool space = false;
            foreach (char c in text)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    space = sb.Length > 0;
                    continue;
                }
                if (space)
                {
                    sb.Append(' ');
                    space = false;
                }
                sb.Append(c);
            }
            return sb.Length == 0 ? null : sb.ToString();
        }
    }
}
