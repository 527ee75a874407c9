using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DBus.Generator.Helpers;
using DBus.Generator.Model;
using DBus.Generator.Naming;
using DBus.Shared;

using static DBus.Generator.Emitter.EmitterHelpers;

namespace DBus.Generator.Emitter;

/// <summary>
/// Writes <c>{N}Messages</c>: the Jeepney-style message generator. It builds method calls, property calls
/// and signals as <c>global::DBus.Message</c> values and reads replies and signals into typed results,
/// using only the runtime's wire API; it does no I/O. Every member name comes from the model
/// (<see cref="MemberNamer"/> resolved them); generated locals and helpers start with <c>__</c>, which no
/// parameter or member does.
/// </summary>
internal static class MessagesEmitter
{
    private const string Message = "global::DBus.Message";
    // Replies are read through a view: the proxy's CallAsync lends the reply without making a Message for it, and a
    // Message converts to a view implicitly for those who send and receive themselves.
    private const string View = "global::DBus.MessageView";
    private const string Flags = "global::DBus.MessageFlags";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";
    private const string InvalidSignature = "org.freedesktop.DBus.Error.InvalidSignature";
    private const string InvalidArgs = "org.freedesktop.DBus.Error.InvalidArgs";

    public static void Emit(SourceWriter w, InterfaceModel model)
    {
        var marshal = new MarshalEmitter();
        string className = model.TypeName + "Messages";
        string iface = CSharpLiterals.String(model.Name);
        bool hasReaders = model.Methods.Any(m => m.OutArgs.Count > 0) || model.Signals.Any(s => s.Args.Count > 0) || model.Properties.Count > 0;

        w.WriteLine("/// <summary>");
        w.WriteLine($"/// Builds the messages of the D-Bus interface <c>{CSharpLiterals.DocText(model.Name)}</c> (method calls, property calls,");
        w.WriteLine("/// signals) and reads replies and signals into typed values. It does no I/O: send what it builds, pass");
        w.WriteLine("/// what comes back to its static <c>Read…</c> methods.");
        w.WriteLine("/// </summary>");
        w.WriteLine(DBusGenerator.Emitter.GeneratedCodeAttribute);
        if (model.Deprecated)
        {
            w.WriteLine("[global::System.Obsolete(\"The D-Bus interface is deprecated.\")]");
        }
        w.WriteLine($"public sealed partial class {className}");
        w.OpenBrace();
        w.WriteLine("/// <summary>The D-Bus interface name.</summary>");
        w.WriteLine($"public const string Interface = {iface};");
        w.WriteLine();
        w.WriteLine("/// <summary>Creates a message generator for one object.</summary>");
        w.WriteLine("/// <param name=\"destination\">The bus name that owns the object, or null on a peer-to-peer connection.</param>");
        w.WriteLine("/// <param name=\"path\">The object's path: calls go to it and signals come from it.</param>");
        w.WriteLine($"public {className}(string? destination, global::DBus.ObjectPath path)");
        w.OpenBrace();
        w.WriteLine("Destination = destination;");
        w.WriteLine("Path = path;");
        w.CloseBrace();
        w.WriteLine();
        w.WriteLine("/// <summary>The bus name calls go to, or null on a peer-to-peer connection.</summary>");
        w.WriteLine("public string? Destination { get; }");
        w.WriteLine();
        w.WriteLine("/// <summary>The object's path: calls go to it and signals come from it.</summary>");
        w.WriteLine("public global::DBus.ObjectPath Path { get; }");

        foreach (var method in model.Methods)
        {
            EmitMethod(w, model, method, marshal);
        }
        foreach (var property in model.Properties)
        {
            EmitProperty(w, model, property, marshal);
        }
        if (model.Properties.Count > 0)
        {
            EmitGetAll(w, model, marshal);
        }
        foreach (var signal in model.Signals)
        {
            EmitSignal(w, model, signal, marshal);
        }

        if (hasReaders)
        {
            EmitCheckBody(w);
        }
        if (model.Properties.Count > 0)
        {
            EmitPropertiesCall(w, model);
            EmitCheckVariant(w, model);
        }
        marshal.EmitHelpers(w);
        w.CloseBrace();
    }

    private static void EmitMethod(SourceWriter w, InterfaceModel model, MethodModel method, MarshalEmitter marshal)
    {
        string flags = ArgumentNamer.AppendedParameter(method.InArgs.Select(a => a.ParameterName), "flags", "messageFlags");
        w.WriteLine();
        w.WriteLine($"/// <summary>Builds a call of the D-Bus method <c>{CSharpLiterals.DocText(method.Name)}</c> ({Args(method.InSignature)}).</summary>");
        Remarks(w, method.Doc);
        ParamDocs(w, method.InArgs);
        w.WriteLine($"/// <param name=\"{flags}\">Header flags{(method.NoReply ? "; NoReplyExpected is always added (the method is annotated NoReply)" : "")}.</param>");
        w.WriteLine("/// <returns>The call, ready to send; the caller owns (and disposes) it.</returns>");
        Obsolete(w, method.Deprecated, "method");
        string parameters = Parameters(method.InArgs);
        w.WriteLine($"public {Message} {method.CSharpName}({parameters}{(parameters.Length > 0 ? ", " : "")}{Flags} {flags} = {Flags}.None)");
        w.OpenBrace();
        NullChecks(w, method.InArgs);
        string flagsValue = method.NoReply ? $"{flags} | {Flags}.NoReplyExpected" : flags;
        w.WriteLine($"var __w = global::DBus.MessageWriter.CreateMethodCall(this.Destination, this.Path, {CSharpLiterals.String(model.Name)}, "
            + $"{CSharpLiterals.String(method.Name)}, {CSharpLiterals.String(method.InSignature)}, {flagsValue});");
        WriteBody(w, method.InArgs, marshal);
        w.CloseBrace();

        if (method.OutArgs.Count == 0)
        {
            return;
        }
        string result = TypeMapper.ToTuple(method.OutArgs.Select(a => (ReceiveType(a), a.ElementName)).ToList())!;
        w.WriteLine();
        w.WriteLine($"/// <summary>Reads the reply of the D-Bus method <c>{CSharpLiterals.DocText(method.Name)}</c> (body <c>{Sig(method.OutSignature)}</c>).</summary>");
        w.WriteLine("/// <param name=\"reply\">The method return; the caller still owns it.</param>");
        w.WriteLine($"/// <returns>{(method.OutArgs.Count == 1 ? "The out argument" : "The out arguments")}.{PooledResultDoc(method.OutArgs)}</returns>");
        ReaderExceptions(w, "reply");
        Obsolete(w, method.Deprecated, "method");
        w.WriteLine($"public static {result} Read{method.CSharpName}Reply({View} reply)");
        w.OpenBrace();
        w.WriteLine($"__CheckBody(reply, {CSharpLiterals.String(method.OutSignature)}, {CSharpLiterals.String("the reply of " + model.Name + "." + method.Name)});");
        ReadBody(w, "reply", method.OutArgs, marshal);
        w.CloseBrace();
    }

    private static void EmitProperty(SourceWriter w, InterfaceModel model, PropertyModel property, MarshalEmitter marshal)
    {
        var node = MarshalEmitter.Parse(property.Signature);
        string name = CSharpLiterals.DocText(property.Name);
        string nameLiteral = CSharpLiterals.String(property.Name);
        string iface = CSharpLiterals.String(model.Name);
        if ((property.Access & PropertyAccess.Read) != 0)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>Builds the <c>org.freedesktop.DBus.Properties.Get</c> call for the D-Bus property <c>{name}</c> (<c>{Sig(property.Signature)}</c>).</summary>");
            Remarks(w, property.Doc);
            w.WriteLine("/// <param name=\"flags\">Header flags.</param>");
            w.WriteLine("/// <returns>The call, ready to send; the caller owns (and disposes) it.</returns>");
            Obsolete(w, property.Deprecated, "property");
            w.WriteLine($"public {Message} Get{property.CSharpName}({Flags} flags = {Flags}.None) => __PropertiesCall(\"Get\", {nameLiteral}, flags);");
            w.WriteLine();
            w.WriteLine($"/// <summary>Reads the reply of <c>Get{property.CSharpName}</c>: the value of the D-Bus property <c>{name}</c>, from a variant that must hold <c>{Sig(property.Signature)}</c>.</summary>");
            w.WriteLine("/// <param name=\"reply\">The method return; the caller still owns it.</param>");
            w.WriteLine("/// <returns>The property's value.</returns>");
            ReaderExceptions(w, "reply", variant: true);
            Obsolete(w, property.Deprecated, "property");
            w.WriteLine($"public static {property.CSharpType} Read{property.CSharpName}({View} reply)");
            w.OpenBrace();
            w.WriteLine($"__CheckBody(reply, \"v\", {CSharpLiterals.String("the reply of " + PropertiesInterface + ".Get for " + model.Name + "." + property.Name)});");
            w.WriteLine("var __r = reply.GetBodyReader();");
            w.WriteLine($"__CheckVariant(ref __r, {CSharpLiterals.String(property.Signature)}, {nameLiteral});");
            w.WriteLine($"return {marshal.Read(node, "__r")};");
            w.CloseBrace();
        }
        if ((property.Access & PropertyAccess.Write) != 0)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>Builds the <c>org.freedesktop.DBus.Properties.Set</c> call for the D-Bus property <c>{name}</c> (the value goes in a variant of signature <c>{Sig(property.Signature)}</c>).</summary>");
            Remarks(w, property.Doc);
            w.WriteLine("/// <param name=\"value\">The new value.</param>");
            w.WriteLine("/// <param name=\"flags\">Header flags.</param>");
            w.WriteLine("/// <returns>The call, ready to send; the caller owns (and disposes) it.</returns>");
            Obsolete(w, property.Deprecated, "property");
            w.WriteLine($"public {Message} Set{property.CSharpName}({property.CSharpType} value, {Flags} flags = {Flags}.None)");
            w.OpenBrace();
            if (MarshalEmitter.IsReference(node))
            {
                w.WriteLine("global::System.ArgumentNullException.ThrowIfNull(value, \"value\");");
            }
            PropertiesCall(w, "Set", "ssv", "flags");
            w.OpenBrace();
            w.WriteLine($"__w.WriteString({iface});");
            w.WriteLine($"__w.WriteString({nameLiteral});");
            w.WriteLine($"__w.WriteSignature({CSharpLiterals.String(property.Signature)});");
            w.WriteLine(marshal.Write(node, "value", "__w", checkedNotNull: true));
            w.WriteLine("return __w.ToMessage();");
            EndTry(w);
            w.CloseBrace();
        }
    }

    private static void EmitGetAll(SourceWriter w, InterfaceModel model, MarshalEmitter marshal)
    {
        string properties = model.TypeName + "Properties";
        string iface = CSharpLiterals.String(model.Name);
        w.WriteLine();
        w.WriteLine("/// <summary>Builds the <c>org.freedesktop.DBus.Properties.GetAll</c> call for this interface.</summary>");
        w.WriteLine("/// <param name=\"flags\">Header flags.</param>");
        w.WriteLine("/// <returns>The call, ready to send; the caller owns (and disposes) it.</returns>");
        w.WriteLine($"public {Message} GetAll({Flags} flags = {Flags}.None) => __PropertiesCall(\"GetAll\", null, flags);");
        w.WriteLine();
        w.WriteLine($"/// <summary>Reads the reply of <c>GetAll</c> (<c>a{{sv}}</c>) into a <see cref=\"{properties}\"/>: a property the reply does not carry stays null; names this interface does not declare are skipped.</summary>");
        w.WriteLine("/// <param name=\"reply\">The method return; the caller still owns it.</param>");
        w.WriteLine("/// <returns>The properties the reply carries.</returns>");
        ReaderExceptions(w, "reply", variant: true);
        w.WriteLine($"public static {properties} ReadGetAll({View} reply)");
        w.OpenBrace();
        w.WriteLine($"__CheckBody(reply, \"a{{sv}}\", {CSharpLiterals.String("the reply of " + PropertiesInterface + ".GetAll for " + model.Name)});");
        w.WriteLine("var __r = reply.GetBodyReader();");
        w.WriteLine("return __ReadProperties(ref __r);");
        w.CloseBrace();

        w.WriteLine();
        w.WriteLine($"/// <summary>Reads an <c>org.freedesktop.DBus.Properties.PropertiesChanged</c> signal (<c>sa{{sv}}as</c>) of this interface.</summary>");
        w.WriteLine("/// <param name=\"signal\">The signal; the caller still owns it.</param>");
        w.WriteLine("/// <returns>The changed values (a property the signal does not carry stays null) and the names of the properties that changed without their value.</returns>");
        ReaderExceptions(w, "signal", variant: true, otherInterface: true);
        w.WriteLine($"public static ({properties} Changed, string[] Invalidated) ReadPropertiesChanged({Message} signal)");
        w.OpenBrace();
        w.WriteLine($"__CheckBody(signal, \"sa{{sv}}as\", {CSharpLiterals.String(PropertiesInterface + ".PropertiesChanged")});");
        w.WriteLine("var __r = signal.GetBodyReader();");
        w.WriteLine("string __interface = __r.ReadString();");
        w.WriteLine($"if (__interface != {iface})");
        w.OpenBrace();
        w.WriteLine($"throw new global::DBus.DBusException({CSharpLiterals.String(InvalidArgs)}, "
            + $"\"PropertiesChanged is for interface '\" + __interface + \"', not '{model.Name}'\");");
        w.CloseBrace();
        w.WriteLine("var __changed = __ReadProperties(ref __r);");
        w.WriteLine("return (__changed, __r.ReadArrayOfString());");
        w.CloseBrace();

        // One reader of a{sv} into the properties type, shared by GetAll and PropertiesChanged.
        w.WriteLine();
        w.WriteLine($"private static {properties} __ReadProperties(ref {MarshalEmitter.Reader} r)");
        w.OpenBrace();
        w.WriteLine($"var result = new {properties}();");
        w.WriteLine("var end = r.ReadArrayStart(global::DBus.DBusType.DictEntry);");
        w.WriteLine("while (r.HasNext(end))");
        w.OpenBrace();
        w.WriteLine("switch (r.ReadString())");
        w.OpenBrace();
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var property in model.Properties)
        {
            // Two properties with one D-Bus name (DBG1004): the first one reads it.
            if (!seen.Add(property.Name))
            {
                continue;
            }
            w.WriteLine($"case {CSharpLiterals.String(property.Name)}:");
            w.Indent();
            w.WriteLine($"__CheckVariant(ref r, {CSharpLiterals.String(property.Signature)}, {CSharpLiterals.String(property.Name)});");
            string assign = $"result.{property.CSharpName} = {marshal.Read(MarshalEmitter.Parse(property.Signature), "r")};";
            if (property.Deprecated && !model.Deprecated)
            {
                w.WriteLine("#pragma warning disable CS0618 // the property is deprecated, and still read");
                w.WriteLine(assign);
                w.WriteLine("#pragma warning restore CS0618");
            }
            else
            {
                w.WriteLine(assign);
            }
            w.WriteLine("break;");
            w.Unindent();
        }
        w.WriteLine("default:");
        w.Indent();
        w.WriteLine("r.ReadVariant();");
        w.WriteLine("break;");
        w.Unindent();
        w.CloseBrace();
        w.CloseBrace();
        w.WriteLine("return result;");
        w.CloseBrace();
    }

    private static void EmitSignal(SourceWriter w, InterfaceModel model, SignalModel signal, MarshalEmitter marshal)
    {
        string destination = ArgumentNamer.AppendedParameter(signal.Args.Select(a => a.ParameterName), "destination", "messageDestination");
        w.WriteLine();
        w.WriteLine($"/// <summary>Builds the D-Bus signal <c>{CSharpLiterals.DocText(signal.Name)}</c> ({Args(signal.Signature)}) emitted by the object at <c>Path</c>.</summary>");
        Remarks(w, signal.Doc);
        ParamDocs(w, signal.Args);
        w.WriteLine($"/// <param name=\"{destination}\">The one peer to send it to, or null to broadcast it.</param>");
        w.WriteLine("/// <returns>The signal, ready to send; the caller owns (and disposes) it.</returns>");
        Obsolete(w, signal.Deprecated, "signal");
        string parameters = Parameters(signal.Args);
        w.WriteLine($"public {Message} {signal.CSharpName}({parameters}{(parameters.Length > 0 ? ", " : "")}string? {destination} = null)");
        w.OpenBrace();
        NullChecks(w, signal.Args);
        w.WriteLine($"var __w = global::DBus.MessageWriter.CreateSignal(this.Path, {CSharpLiterals.String(model.Name)}, "
            + $"{CSharpLiterals.String(signal.Name)}, {CSharpLiterals.String(signal.Signature)}, {destination});");
        WriteBody(w, signal.Args, marshal);
        w.CloseBrace();

        if (signal.Args.Count == 0)
        {
            return;
        }
        string result = TypeMapper.ToTuple(signal.Args.Select(a => (a.CSharpType, a.ElementName)).ToList())!;
        w.WriteLine();
        w.WriteLine($"/// <summary>Reads the D-Bus signal <c>{CSharpLiterals.DocText(signal.Name)}</c> (body <c>{Sig(signal.Signature)}</c>).</summary>");
        w.WriteLine("/// <param name=\"signal\">The signal; the caller still owns it.</param>");
        w.WriteLine($"/// <returns>{(signal.Args.Count == 1 ? "The argument" : "The arguments")}.</returns>");
        ReaderExceptions(w, "signal");
        Obsolete(w, signal.Deprecated, "signal");
        w.WriteLine($"public static {result} Read{signal.CSharpName}({Message} signal)");
        w.OpenBrace();
        w.WriteLine($"__CheckBody(signal, {CSharpLiterals.String(signal.Signature)}, {CSharpLiterals.String("the signal " + model.Name + "." + signal.Name)});");
        ReadBody(w, "signal", signal.Args, marshal);
        w.CloseBrace();
    }

    /// <summary>Writes the arguments into <c>__w</c> and returns the message; the writer is disposed on any exception.</summary>
    private static void WriteBody(SourceWriter w, EquatableArray<ArgumentModel> args, MarshalEmitter marshal)
    {
        // A using variable cannot be passed by ref to the helpers, hence try/finally (Dispose after ToMessage is a no-op).
        w.WriteLine("try");
        w.OpenBrace();
        foreach (var arg in args)
        {
            w.WriteLine(marshal.WriteArg(arg, arg.ParameterName, "__w", checkedNotNull: true));
        }
        w.WriteLine("return __w.ToMessage();");
        EndTry(w);
    }

    private static void ReadBody(SourceWriter w, string message, EquatableArray<ArgumentModel> args, MarshalEmitter marshal)
    {
        w.WriteLine($"var __r = {message}.GetBodyReader();");
        if (args.Count == 1)
        {
            w.WriteLine($"return {marshal.ReadArg(args[0], "__r")};");
            return;
        }
        var locals = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string local = "__" + (i + 1).ToString(CultureInfo.InvariantCulture);
            locals.Add(local);
            w.WriteLine($"var {local} = {marshal.ReadArg(args[i], "__r")};");
        }
        w.WriteLine($"return ({string.Join(", ", locals)});");
    }

    private static void PropertiesCall(SourceWriter w, string member, string signature, string flags)
    {
        w.WriteLine($"var __w = global::DBus.MessageWriter.CreateMethodCall(this.Destination, this.Path, {CSharpLiterals.String(PropertiesInterface)}, "
            + $"{CSharpLiterals.String(member)}, {CSharpLiterals.String(signature)}, {flags});");
        w.WriteLine("try");
    }

    private static void EndTry(SourceWriter w)
    {
        w.CloseBrace();
        w.WriteLine("finally");
        w.OpenBrace();
        w.WriteLine("__w.Dispose();");
        w.CloseBrace();
    }

    private static void EmitCheckBody(SourceWriter w)
    {
        w.WriteLine();
        w.WriteLine($"private static void __CheckBody({View} message, string expected, string what)");
        w.OpenBrace();
        w.WriteLine("if (message.Type == global::DBus.MessageType.Error)");
        w.OpenBrace();
        w.WriteLine("string? text = null;");
        w.WriteLine("if (message.Signature.FirstType == global::DBus.DBusType.String)");
        w.OpenBrace();
        w.WriteLine("var r = message.GetBodyReader();");
        w.WriteLine("text = r.ReadString();");
        w.CloseBrace();
        w.WriteLine("throw global::DBus.DBusException.Create(message.ErrorName ?? \"org.freedesktop.DBus.Error.Failed\", text);");
        w.CloseBrace();
        w.WriteLine("string actual = message.Signature.Value;");
        w.WriteLine("if (actual != expected)");
        w.OpenBrace();
        w.WriteLine($"throw new global::DBus.DBusException({CSharpLiterals.String(InvalidSignature)}, "
            + "what + \": expected a body of signature '\" + expected + \"', got '\" + actual + \"'\");");
        w.CloseBrace();
        w.CloseBrace();
    }

    /// <summary>Get and GetAll calls differ only in the member and whether the property name follows the interface.</summary>
    private static void EmitPropertiesCall(SourceWriter w, InterfaceModel model)
    {
        w.WriteLine();
        w.WriteLine($"private {Message} __PropertiesCall(string member, string? property, {Flags} flags)");
        w.OpenBrace();
        w.WriteLine($"var __w = global::DBus.MessageWriter.CreateMethodCall(this.Destination, this.Path, {CSharpLiterals.String(PropertiesInterface)}, member, property is null ? \"s\" : \"ss\", flags);");
        w.WriteLine("try");
        w.OpenBrace();
        w.WriteLine($"__w.WriteString({CSharpLiterals.String(model.Name)});");
        w.WriteLine("if (property is not null)");
        w.OpenBrace();
        w.WriteLine("__w.WriteString(property);");
        w.CloseBrace();
        w.WriteLine("return __w.ToMessage();");
        EndTry(w);
        w.CloseBrace();
    }

    private static void EmitCheckVariant(SourceWriter w, InterfaceModel model)
    {
        w.WriteLine();
        w.WriteLine($"private static void __CheckVariant(ref {MarshalEmitter.Reader} r, string expected, string property)");
        w.OpenBrace();
        w.WriteLine("var actual = r.ReadSignature();");
        w.WriteLine("if (actual.Value != expected)");
        w.OpenBrace();
        w.WriteLine($"throw new global::DBus.DBusException({CSharpLiterals.String(InvalidSignature)}, "
            + $"\"property '\" + property + \"' of {model.Name}: expected a value of signature '\" + expected + \"', got '\" + actual.Value + \"'\");");
        w.CloseBrace();
        w.CloseBrace();
    }

    private static void ReaderExceptions(SourceWriter w, string parameter, bool variant = false, bool otherInterface = false)
    {
        string signatures = variant ? "body signature or a property value's variant signature is" : "body signature is";
        // An error reply is thrown as the error it carries (a typed subclass for the standard names).
        string text = parameter == "reply"
            ? $"The reply is an error (thrown as the error it carries), or its {signatures} not the expected one"
            : $"The signal's {signatures} not the expected one";
        if (otherInterface)
        {
            text += ", or it is about another interface";
        }
        w.WriteLine($"/// <exception cref=\"global::DBus.DBusException\">{text}.</exception>");
        w.WriteLine($"/// <exception cref=\"global::DBus.DBusProtocolException\">The {parameter}'s body is malformed.</exception>");
    }

    private static void NullChecks(SourceWriter w, EquatableArray<ArgumentModel> args)
    {
        foreach (var arg in args)
        {
            if (MarshalEmitter.IsReference(arg))
            {
                w.WriteLine($"global::System.ArgumentNullException.ThrowIfNull({arg.ParameterName}, {CSharpLiterals.String(arg.ParameterName.TrimStart('@'))});");
            }
        }
    }

    private static string Parameters(EquatableArray<ArgumentModel> args) =>
        string.Join(", ", args.Select(a => SendType(a) + " " + a.ParameterName));
}
