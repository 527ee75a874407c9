using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using DBus.Generator.Diagnostics;
using DBus.Generator.Helpers;
using DBus.Generator.Model;
using DBus.Generator.Naming;
using DBus.Shared;

namespace DBus.Generator;

public sealed partial class DBusGenerator
{
    internal sealed partial class Parser
    {
        private InterfaceModel? ParseInterface(
            XElement element, HashSet<string> seen, HashSet<string> hintNames, InterfaceNamer typeNamer, GenerateKinds generate)
        {
            var nameAttribute = element.Attribute("name");
            if (nameAttribute is null || nameAttribute.Value.Length == 0)
            {
                Report(DiagnosticDescriptors.MissingAttribute, _locator.Element(element), "interface", "name", "the interface");
                return null;
            }
            string name = nameAttribute.Value;
            if (s_standardInterfaces.Contains(name))
            {
                Report(DiagnosticDescriptors.StandardInterface, _locator.Attribute(nameAttribute), name);
                return null;
            }
            if (DBusNameValidator.ValidateInterfaceName(name) is { } why)
            {
                Report(DiagnosticDescriptors.InvalidName, _locator.Attribute(nameAttribute), "Interface", name, why);
            }
            if (!seen.Add(name))
            {
                Report(DiagnosticDescriptors.DuplicateName, _locator.Attribute(nameAttribute), "Interface", name, "this file", "this copy is skipped");
                return null;
            }

            var annotations = ReadAnnotations(element);
            string typeName = typeNamer.Claim(name, annotations.Rename);
            if (annotations.Rename is not null && typeName != annotations.Rename)
            {
                Report(DiagnosticDescriptors.NameAdjusted, _locator.Attribute(nameAttribute), annotations.Rename, "interface", name, typeName);
            }

            // Parse every member first (document order), then name them in a fixed kind order.
            var members = new List<RawMember>();
            foreach (var child in element.Elements())
            {
                _cancellationToken.ThrowIfCancellationRequested();
                RawMember? member = null;
                if (IsDBus(child, "method"))
                {
                    member = ParseMethod(child);
                }
                else if (IsDBus(child, "signal"))
                {
                    member = ParseSignal(child);
                }
                else if (IsDBus(child, "property"))
                {
                    member = ParseProperty(child, annotations.EmitsChanged ?? ChangedSignalKind.True);
                }
                else
                {
                    CheckUnknown(child, element, "annotation");
                }
                if (member is not null)
                {
                    members.Add(member);
                }
            }

            MarkDuplicates(members);
            var namer = new MemberNamer(typeName);
            bool? pooled = annotations.Pooled ?? _filePooled;
            bool valueTasks = (annotations.ValueTasks ?? _fileValueTasks) == true;
            var methods = members.Where(m => m.Kind == MemberKind.Method).Select(m => BuildMethod(m, namer, pooled, valueTasks)).ToEquatableArray();
            var properties = members.Where(m => m.Kind == MemberKind.Property).Select(m => BuildProperty(m, namer, valueTasks)).ToEquatableArray();
            var signals = members.Where(m => m.Kind == MemberKind.Signal).Select(m => BuildSignal(m, namer)).ToEquatableArray();

            string ns = _input.Namespace;
            string hintName = HintName(ns, name, hintNames);
            return new InterfaceModel(
                name, typeName, ns, generate, hintName,
                methods, signals, properties,
                ReadDoc(element) ?? annotations.DocString,
                annotations.Deprecated,
                IntrospectionXmlWriter.Write(name, annotations.Kept, members),
                _locator.Attribute(nameAttribute),
                _input.FaultInjection,
                valueTasks);
        }

        /// <summary>Marks the second and later members of the same kind and name; they are reported
        /// while naming, so the message can say which C# name the copy got.</summary>
        private static void MarkDuplicates(List<RawMember> members)
        {
            foreach (var group in members.GroupBy(m => (m.Kind, m.Name)))
            {
                foreach (var duplicate in group.Skip(1))
                {
                    duplicate.IsDuplicate = true;
                }
            }
        }

        private string Claim(RawMember member, MemberNamer namer)
        {
            string preferred = member.Annotations.Rename ?? Identifiers.ToPascalCase(member.Name, member.Kind.ToString());
            string claimed = namer.Claim(preferred, member.Kind);
            string kind = member.Kind.ToString().ToLowerInvariant();
            if (member.IsDuplicate)
            {
                Report(DiagnosticDescriptors.DuplicateName, _locator.NameOf(member.Element),
                    member.Kind.ToString(), member.Name, "its interface", $"the C# name of this one is '{claimed}'");
            }
            else if (claimed != preferred)
            {
                Report(DiagnosticDescriptors.NameAdjusted, _locator.NameOf(member.Element), preferred, kind, member.Name, claimed);
            }
            return claimed;
        }

        private MethodModel BuildMethod(RawMember m, MemberNamer namer, bool? interfacePooled, bool interfaceValueTasks)
        {
            string name = Claim(m, namer);
            ArgsWithoutValueTasks(m);
            var outArgs = m.Annotations.NoReply ? new List<RawArg>() : m.OutArgs;
            var pooled = PooledArgs(m, m.Annotations.Pooled ?? interfacePooled);
            return new MethodModel(
                m.Name, name,
                BuildArgs(m.InArgs, pooled), BuildArgs(outArgs, pooled),
                string.Concat(m.InArgs.Select(a => a.Type)),
                string.Concat(outArgs.Select(a => a.Type)),
                m.Annotations.NoReply, m.Annotations.Deprecated, m.Doc,
                m.Annotations.ValueTasks ?? interfaceValueTasks);
        }

        private SignalModel BuildSignal(RawMember m, MemberNamer namer)
        {
            string name = Claim(m, namer);
            NotPooled(m, "signals keep arrays: a watch handler would not know when the memory goes back");
            NoValueTasks(m);
            return new SignalModel(m.Name, name, BuildArgs(m.InArgs), string.Concat(m.InArgs.Select(a => a.Type)), m.Annotations.Deprecated, m.Doc);
        }

        private PropertyModel BuildProperty(RawMember m, MemberNamer namer, bool interfaceValueTasks)
        {
            string name = Claim(m, namer);
            NotPooled(m, "properties keep arrays: one C# type serves Get, Set, GetAll and PropertiesChanged");
            return new PropertyModel(m.Name, name, m.Type!, m.CSharpType!, m.Access, m.EmitsChanged, m.Annotations.Deprecated, m.Doc,
                m.Annotations.ValueTasks ?? interfaceValueTasks);
        }

        private static EquatableArray<ArgumentModel> BuildArgs(List<RawArg> args, HashSet<RawArg>? pooled = null)
        {
            if (args.Count == 0)
            {
                return EquatableArray<ArgumentModel>.Empty;
            }
            var names = args.Select(a => (a.Name, a.Annotations.Rename)).ToList();
            string[] parameters = ArgumentNamer.ParameterNames(names);
            string?[] elements = ArgumentNamer.ElementNames(names);
            var result = new ArgumentModel[args.Count];
            for (int i = 0; i < args.Count; i++)
            {
                result[i] = new ArgumentModel(args[i].Name, parameters[i], elements[i], args[i].Type, args[i].CSharpType, args[i].Doc,
                    pooled?.Contains(args[i]) == true);
            }
            return new EquatableArray<ArgumentModel>(result);
        }

        private static string HintName(string ns, string interfaceName, HashSet<string> taken)
        {
            var chars = ((ns.Length > 0 ? ns + "." : "") + interfaceName).ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                char c = chars[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
                if (!ok)
                {
                    chars[i] = '_';
                }
            }
            string stem = new(chars);
            string hint = stem + ".g.cs";
            // Roslyn compares hint names ignoring case; interfaces differing only in case get a number.
            for (int n = 2; !taken.Add(hint); n++)
            {
                hint = stem + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
            }
            return hint;
        }
    }
}
