using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Xml;
using System.Xml.Linq;
using DBus.Generator.Diagnostics;
using DBus.Generator.Helpers;
using DBus.Generator.Model;
using DBus.Generator.Naming;
using DBus.Shared;
using Microsoft.CodeAnalysis;

namespace DBus.Generator;

public sealed partial class DBusGenerator
{
    /// <summary>
    /// Introspection XML → <see cref="FileModel"/>: every interface with its C# names resolved, plus the
    /// diagnostics, each located at the XML that causes it. Never throws for bad input.
    /// </summary>
    internal sealed partial class Parser
    {
        public const string RenameAnnotation = "org.dbusgen.CSharpName";
        public const string PooledArraysAnnotation = "org.dbusgen.PooledArrays";
        public const string ValueTasksAnnotation = "org.dbusgen.ValueTasks";
        private const string DeprecatedAnnotation = "org.freedesktop.DBus.Deprecated";
        private const string NoReplyAnnotation = "org.freedesktop.DBus.Method.NoReply";
        private const string EmitsChangedAnnotation = "org.freedesktop.DBus.Property.EmitsChangedSignal";
        private const string DocStringAnnotation = "org.gtk.GDBus.DocString";

        private static readonly HashSet<string> s_standardInterfaces = new(StringComparer.Ordinal)
        {
            "org.freedesktop.DBus.Properties",
            "org.freedesktop.DBus.Introspectable",
            "org.freedesktop.DBus.Peer",
            "org.freedesktop.DBus.ObjectManager",
        };

        private readonly FileInput _input;
        private readonly XmlLocator _locator;
        private readonly List<DiagnosticInfo> _diagnostics = new();
        private readonly CancellationToken _cancellationToken;
        private bool? _filePooled;
        private bool? _fileValueTasks;

        private Parser(FileInput input, CancellationToken cancellationToken)
        {
            _input = input;
            _locator = new XmlLocator(input.Path, input.Text);
            _cancellationToken = cancellationToken;
        }

        public static FileModel Parse(FileInput input, CancellationToken cancellationToken)
        {
            var parser = new Parser(input, cancellationToken);
            var interfaces = parser.ParseFile();
            return new FileModel(input.Path, interfaces.ToEquatableArray(), parser._diagnostics.ToEquatableArray());
        }

        private void Report(DiagnosticDescriptor descriptor, LocationInfo location, params string[] args) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, args));

        private List<InterfaceModel> ParseFile()
        {
            var result = new List<InterfaceModel>();
            if (_input.FaultInjection == "parse")
            {
                throw new InvalidOperationException("fault injected into the parser (DBusGenFaultInjection=parse)");
            }

            GenerateKinds generate = ParseGenerateMetadata(_input.GenerateMetadata);
            bool namespaceOk = Identifiers.IsValidNamespace(_input.Namespace);
            if (!namespaceOk)
            {
                Report(DiagnosticDescriptors.InvalidNamespace, _locator.FileStart, _input.Namespace);
            }

            _filePooled = FileFlag("PooledArrays", _input.PooledArrays);
            _fileValueTasks = FileFlag("ValueTasks", _input.ValueTasks);

            XDocument document;
            try
            {
                // Real files declare entities in an internal DTD subset (UPower, fprintd), so DTDs are
                // parsed; external ones are never fetched (no resolver) and expansion is capped.
                var settings = new XmlReaderSettings
                {
                    DtdProcessing = DtdProcessing.Parse,
                    XmlResolver = null,
                    MaxCharactersFromEntities = 1 << 20,
                    IgnoreComments = true,
                    IgnoreProcessingInstructions = true,
                };
                using var reader = XmlReader.Create(new StringReader(NeutralizeUndeclaredEntities(_input.Text)), settings);
                document = XDocument.Load(reader, LoadOptions.SetLineInfo);
            }
            catch (XmlException ex)
            {
                Report(DiagnosticDescriptors.MalformedXml, _locator.At(ex.LineNumber, ex.LinePosition), TrimXmlMessage(ex.Message));
                return result;
            }

            var root = document.Root!;
            var elements = new List<XElement>();
            if (IsDBus(root, "node"))
            {
                CollectInterfaces(root, elements);
            }
            else if (IsDBus(root, "interface"))
            {
                elements.Add(root);
            }
            else
            {
                Report(DiagnosticDescriptors.NotIntrospection, _locator.Element(root), root.Name.LocalName);
                return result;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var hintNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var typeNamer = new InterfaceNamer();
            foreach (var element in elements)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var model = ParseInterface(element, seen, hintNames, typeNamer, generate);
                if (model is not null && namespaceOk)
                {
                    result.Add(model);
                }
            }
            return result;
        }

        private GenerateKinds ParseGenerateMetadata(string value)
        {
            var kinds = GenerateKinds.None;
            foreach (var token in value.Split(new[] { ';', ',', ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(token, "Client", StringComparison.OrdinalIgnoreCase))
                {
                    kinds |= GenerateKinds.Client;
                }
                else if (string.Equals(token, "Server", StringComparison.OrdinalIgnoreCase))
                {
                    kinds |= GenerateKinds.Server;
                }
                else
                {
                    Report(DiagnosticDescriptors.InvalidGenerateMetadata, _locator.FileStart, token);
                }
            }
            return kinds == GenerateKinds.None ? GenerateKinds.Client : kinds;
        }

        private void CollectInterfaces(XElement node, List<XElement> into)
        {
            foreach (var child in node.Elements())
            {
                if (IsDBus(child, "interface"))
                {
                    into.Add(child);
                }
                else if (IsDBus(child, "node"))
                {
                    CollectInterfaces(child, into);
                }
                else
                {
                    CheckUnknown(child, node, "annotation");
                }
            }
        }

        /// <summary>Warns about an element without a namespace that introspection XML does not define.
        /// Elements in any namespace (doc:, tp:, XHTML…) are documentation or extensions: ignored silently.</summary>
        private void CheckUnknown(XElement child, XElement parent, params string[] allowed)
        {
            if (child.Name.Namespace != XNamespace.None)
            {
                return;
            }
            string local = child.Name.LocalName;
            if (Array.IndexOf(allowed, local) < 0 && local != "doc")
            {
                Report(DiagnosticDescriptors.UnknownElement, _locator.Element(child), local, parent.Name.LocalName);
            }
        }

        /// <summary>
        /// Real files reference entities they never declare (fprintd's <c>&amp;FINGER_ALREADY_ENROLLED;</c>),
        /// which no XML parser accepts. Such a reference is kept as text: its '&amp;' becomes U+FFFD, the same
        /// length, so every line and column stays true. One warning per entity name.
        /// </summary>
        private string NeutralizeUndeclaredEntities(string text)
        {
            if (text.IndexOf('&') < 0)
            {
                return text;
            }
            var declared = new HashSet<string>(StringComparer.Ordinal) { "amp", "lt", "gt", "quot", "apos" };
            foreach (System.Text.RegularExpressions.Match m in s_entityDeclaration.Matches(text))
            {
                declared.Add(m.Groups[1].Value);
            }
            char[]? chars = null;
            var reported = new HashSet<string>(StringComparer.Ordinal);
            foreach (System.Text.RegularExpressions.Match m in s_entityReference.Matches(text))
            {
                string name = m.Groups[1].Value;
                if (declared.Contains(name))
                {
                    continue;
                }
                chars ??= text.ToCharArray();
                chars[m.Index] = '\uFFFD';
                if (reported.Add(name))
                {
                    Report(DiagnosticDescriptors.UndeclaredEntity, _locator.Range(m.Index, m.Index + m.Length), name);
                }
            }
            return chars is null ? text : new string(chars);
        }

        private static readonly System.Text.RegularExpressions.Regex s_entityDeclaration =
            new(@"<!ENTITY\s+([^\s%]+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        private static readonly System.Text.RegularExpressions.Regex s_entityReference =
            new(@"&([A-Za-z_:][A-Za-z0-9._:\-]*);", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        private static bool IsDBus(XElement element, string localName) =>
            element.Name.Namespace == XNamespace.None && element.Name.LocalName == localName;

        private static string TrimXmlMessage(string message)
        {
            // XmlException messages end with "Line n, position m."; the diagnostic location says that already.
            int at = message.LastIndexOf(" Line ", StringComparison.Ordinal);
            return (at > 0 ? message.Substring(0, at) : message).TrimEnd();
        }
    }
}
