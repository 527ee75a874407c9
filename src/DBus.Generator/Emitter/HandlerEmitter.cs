using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DBus.Generator.Helpers;
using DBus.Generator.Model;
using DBus.Generator.Naming;

using static DBus.Generator.Emitter.EmitterHelpers;

namespace DBus.Generator.Emitter;

/// <summary>
/// Writes the server side of one interface: <c>I{N}Handler</c>, a partial interface the user implements, which
/// implements <c>global::DBus.IDBusInterfaceHandler</c> itself through explicit default members (dispatch, property
/// hooks, name and introspection XML), so an implementation is exported as it is; and <c>{N}HandlerExtensions</c>,
/// the signal emitters on <c>global::DBus.DBusConnection</c>, built on <c>{N}Messages</c>.
/// </summary>
/// <remarks>
/// Arguments are read and replies written in synchronous helpers, because a <c>MessageReader</c> or
/// <c>MessageWriter</c> (ref structs) cannot live in an async method; the user's task is awaited only when it did not
/// complete synchronously, so a synchronous implementation allocates no state machine. Generated members of the
/// interface are private static and start with <c>__</c>, which no generated D-Bus name does.
/// </remarks>
internal static class HandlerEmitter
{
    private const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    private const string Context = "global::DBus.MethodContext";
    private const string Handler = "global::DBus.IDBusInterfaceHandler";
    private const string Connection = "global::DBus.DBusConnection";

    public static void Emit(SourceWriter w, InterfaceModel model)
    {
        string name = "I" + model.TypeName + "Handler";
        var marshal = new MarshalEmitter();

        // The dispatch calls deprecated members (they are still served); the user's own calls still warn.
        w.WriteLine("#pragma warning disable CS0618");
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// The server side of the D-Bus interface <c>{CSharpLiterals.DocText(model.Name)}</c>: implement the methods and property");
        w.WriteLine("/// accessors, then export the object with <see cref=\"global::DBus.DBusConnection.Export(global::DBus.ObjectPath, global::DBus.IDBusInterfaceHandler)\"/>.");
        w.WriteLine("/// The interface implements <see cref=\"global::DBus.IDBusInterfaceHandler\"/> itself: it reads each call's arguments,");
        w.WriteLine("/// awaits the method and writes its reply. Throw a <see cref=\"global::DBus.DBusException\"/> to reply with that error.");
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <remarks>");
        w.WriteLine("/// Property accessors are synchronous, as the runtime's property hooks are; emit PropertiesChanged with");
        w.WriteLine("/// <see cref=\"global::DBus.DBusConnection.EmitPropertiesChanged\"/> after a change.");
        if (model.Doc is { } doc)
        {
            w.WriteLine($"/// {CSharpLiterals.DocText(doc)}");
        }
        w.WriteLine("/// </remarks>");
        w.WriteLine(DBusGenerator.Emitter.GeneratedCodeAttribute);
        Obsolete(w, model.Deprecated, "interface");
        w.WriteLine($"public partial interface {name} : {Handler}");
        w.OpenBrace();
        bool first = true;
        foreach (var method in model.Methods)
        {
            Separate(w, ref first);
            EmitMethodDeclaration(w, method);
        }
        foreach (var property in model.Properties)
        {
            EmitPropertyDeclarations(w, property, ref first);
        }

        Separate(w, ref first);
        w.WriteLine("/// <inheritdoc/>");
        w.WriteLine($"string {Handler}.InterfaceName => {CSharpLiterals.String(model.Name)};");
        w.WriteLine();
        w.WriteLine("/// <inheritdoc/>");
        w.WriteLine($"string {Handler}.IntrospectionXml => {Qualified(model, model.TypeName + "Interface")}.IntrospectionXml;");
        EmitDispatch(w, model, name, marshal);
        // Without readable (writable) properties the connection never asks: the interface's default serves.
        if (model.Properties.Any(p => (p.Access & PropertyAccess.Read) != 0))
        {
            EmitWriteProperty(w, model, marshal);
        }
        if (model.Properties.Any(p => (p.Access & PropertyAccess.Write) != 0))
        {
            EmitSetProperty(w, model, marshal);
        }
        marshal.EmitHelpers(w);
        w.CloseBrace();
        w.WriteLine("#pragma warning restore CS0618");

        if (model.Signals.Count > 0)
        {
            w.WriteLine();
            EmitExtensions(w, model);
        }
    }

    private static void EmitMethodDeclaration(SourceWriter w, MethodModel method)
    {
        string context = ContextParameter(method);
        w.WriteLine($"/// <summary>Handles a call of the D-Bus method <c>{CSharpLiterals.DocText(method.Name)}</c>{(method.NoReply ? " (annotated NoReply: the caller expects no answer)" : "")}.</summary>");
        Remarks(w, method.Doc);
        ParamDocs(w, method.InArgs);
        PooledDispatchEmitter.InArgsDoc(w, method);
        w.WriteLine($"/// <param name=\"{context}\">The call: its sender, path and connection; read nothing from its body (the arguments are already read).</param>");
        // Returned descriptors are handed over: the reply carries duplicates, and the dispatch closes these.
        string handedOver = method.OutArgs.Any(a => DescriptorDisposal.MayHold(MarshalEmitter.Parse(a.Signature)))
            ? " The descriptors returned (<c>UnixFd</c> values, and those inside returned <c>Variant</c> values) are closed once the reply is written: return a duplicate to keep one."
            : "";
        w.WriteLine(method.OutArgs.Count switch
        {
            0 => "/// <returns>Completes when the call is handled; an empty method return is then sent.</returns>",
            1 => $"/// <returns>The out argument, sent as the reply.{handedOver}</returns>",
            _ => $"/// <returns>The out arguments, sent as the reply.{handedOver}</returns>",
        });
        Obsolete(w, method.Deprecated, "method");
        string parameters = string.Join("", method.InArgs.Select(a => SendType(a) + " " + a.ParameterName + ", "));
        w.WriteLine($"{ReturnType(method)} {method.CSharpName}Async({parameters}{Context} {context});");
    }

    private static void EmitPropertyDeclarations(SourceWriter w, PropertyModel property, ref bool first)
    {
        if ((property.Access & PropertyAccess.Read) != 0)
        {
            Separate(w, ref first);
            w.WriteLine($"/// <summary>Returns the current value of the D-Bus property <c>{CSharpLiterals.DocText(property.Name)}</c> (<c>{CSharpLiterals.DocText(property.Signature)}</c>), for Get and GetAll.</summary>");
            Remarks(w, property.Doc);
            w.WriteLine(MarshalEmitter.IsReference(MarshalEmitter.Parse(property.Signature))
                ? "/// <returns>The value; never null.</returns>"
                : "/// <returns>The value.</returns>");
            Obsolete(w, property.Deprecated, "property");
            w.WriteLine($"{property.CSharpType} Get{property.CSharpName}();");
        }
        if ((property.Access & PropertyAccess.Write) != 0)
        {
            Separate(w, ref first);
            w.WriteLine($"/// <summary>Sets the D-Bus property <c>{CSharpLiterals.DocText(property.Name)}</c> (<c>{CSharpLiterals.DocText(property.Signature)}</c>) from a Set call; throw a <see cref=\"global::DBus.DBusException\"/> to refuse the value.</summary>");
            Remarks(w, property.Doc);
            w.WriteLine("/// <param name=\"value\">The new value.</param>");
            Obsolete(w, property.Deprecated, "property");
            w.WriteLine($"void Set{property.CSharpName}({property.CSharpType} value);");
        }
    }

    private static void EmitDispatch(SourceWriter w, InterfaceModel model, string name, MarshalEmitter marshal)
    {
        w.WriteLine();
        w.WriteLine("/// <inheritdoc/>");
        w.WriteLine($"{ValueTask} {Handler}.HandleCallAsync({Context} context)");
        w.OpenBrace();
        w.WriteLine("global::System.ArgumentNullException.ThrowIfNull(context);");
        if (model.Methods.Count > 0)
        {
            // The connection matched the call's name and signature against the XML already: its position among the
            // XML's methods (model order is document order, as in IntrospectionXml) says which one, overloads included.
            w.WriteLine("switch (context.MethodIndex)");
            w.OpenBrace();
            for (int i = 0; i < model.Methods.Count; i++)
            {
                w.WriteLine($"case {i.ToString(CultureInfo.InvariantCulture)}:");
                w.Indent();
                w.WriteLine($"return __Handle{model.Methods[i].CSharpName}(this, context);");
                w.Unindent();
            }
            w.CloseBrace();
        }
        // The connection checks calls against the XML first; this is reached only by a hand-made call.
        w.WriteLine($"throw new global::DBus.DBusException(\"org.freedesktop.DBus.Error.UnknownMethod\", "
            + $"\"no method '\" + context.Member + \"' with signature '\" + context.Request.Signature.Value + \"' in {model.Name}\");");
        w.CloseBrace();

        foreach (var method in model.Methods)
        {
            EmitMethodHandler(w, name, method, marshal);
        }
    }

    private static void EmitMethodHandler(SourceWriter w, string name, MethodModel method, MarshalEmitter marshal)
    {
        string b = method.CSharpName;
        w.WriteLine();
        w.WriteLine($"private static {ValueTask} __Handle{b}({name} __handler, {Context} __context)");
        w.OpenBrace();
        var locals = new List<string>();
        if (method.InArgs.Count > 0)
        {
            w.WriteLine("var __r = __context.Request.GetBodyReader();");
            for (int i = 0; i < method.InArgs.Count; i++)
            {
                string local = "__a" + i.ToString(CultureInfo.InvariantCulture);
                locals.Add(method.InArgs[i].Pooled ? local + ".Memory" : local);
                w.WriteLine($"var {local} = {marshal.ReadArg(method.InArgs[i], "__r")};");
            }
        }
        locals.Add("__context");
        string call = $"__handler.{b}Async({string.Join(", ", locals)})";
        if (method.InArgs.Any(a => a.Pooled))
        {
            // Pooled arguments go back to the pool once the task completes and its reply is written.
            PooledDispatchEmitter.Emit(w, method, call);
        }
        else if (method.OutArgs.Count == 0)
        {
            // The runtime sends the empty method return once the task completes.
            w.WriteLine($"return {call};");
            w.CloseBrace();
            return;
        }
        else
        {
            w.WriteLine($"var __task = {call};");
            w.WriteLine("if (__task.IsCompletedSuccessfully)");
            w.OpenBrace();
            w.WriteLine($"__Reply{b}(__context, __task.Result);");
            w.WriteLine("return default;");
            w.CloseBrace();
            w.WriteLine($"return __Await{b}(__task, __context);");
            w.CloseBrace();

            w.WriteLine();
            w.WriteLine($"private static async {ValueTask} __Await{b}({ValueTask}<{ResultType(method)}> __task, {Context} __context)");
            w.OpenBrace();
            w.WriteLine($"__Reply{b}(__context, await __task.ConfigureAwait(false));");
            w.CloseBrace();
        }
        if (method.OutArgs.Count == 0)
        {
            return;
        }

        string result = ResultType(method)!;

        w.WriteLine();
        w.WriteLine($"private static void __Reply{b}({Context} __context, {result} __result)");
        w.OpenBrace();
        w.WriteLine($"var __w = __context.CreateReply({CSharpLiterals.String(method.OutSignature)});");
        w.WriteLine("try");
        w.OpenBrace();
        for (int i = 0; i < method.OutArgs.Count; i++)
        {
            string value = method.OutArgs.Count == 1 ? "__result" : "__result.Item" + (i + 1).ToString(CultureInfo.InvariantCulture);
            if (MarshalEmitter.IsReference(method.OutArgs[i]))
            {
                value = $"({value} ?? throw new global::System.InvalidOperationException({CSharpLiterals.String(b + "Async returned a null value for the out argument " + (i + 1).ToString(CultureInfo.InvariantCulture) + " (" + method.OutArgs[i].Signature + ")")}))";
            }
            w.WriteLine(marshal.WriteArg(method.OutArgs[i], value, "__w", checkedNotNull: true));
        }
        w.WriteLine("__context.Reply(__w.ToMessage());");
        w.CloseBrace();
        w.WriteLine("finally");
        w.OpenBrace();
        w.WriteLine("__w.Dispose();");
        bool first = true;
        for (int i = 0; i < method.OutArgs.Count; i++)
        {
            var node = MarshalEmitter.Parse(method.OutArgs[i].Signature);
            if (!DescriptorDisposal.MayHold(node))
            {
                continue;
            }
            if (first)
            {
                w.WriteLine("// The reply holds its own copies of the returned descriptors: close these.");
                first = false;
            }
            string value = method.OutArgs.Count == 1 ? "__result" : "__result.Item" + (i + 1).ToString(CultureInfo.InvariantCulture);
            DescriptorDisposal.Emit(w, node, value, depth: 0);
        }
        w.CloseBrace();
        w.CloseBrace();
    }

    private static void EmitWriteProperty(SourceWriter w, InterfaceModel model, MarshalEmitter marshal)
    {
        w.WriteLine();
        w.WriteLine("/// <inheritdoc/>");
        w.WriteLine($"void {Handler}.WriteProperty(string name, ref global::DBus.MessageWriter writer)");
        w.OpenBrace();
        var readable = Distinct(model.Properties.Where(p => (p.Access & PropertyAccess.Read) != 0));
        if (readable.Count > 0)
        {
            w.WriteLine("switch (name)");
            w.OpenBrace();
            foreach (var property in readable)
            {
                var node = MarshalEmitter.Parse(property.Signature);
                string value = $"this.Get{property.CSharpName}()";
                if (MarshalEmitter.IsReference(node))
                {
                    value = $"({value} ?? throw new global::System.InvalidOperationException({CSharpLiterals.String("Get" + property.CSharpName + " returned null")}))";
                }
                w.WriteLine($"case {CSharpLiterals.String(property.Name)}:");
                w.Indent();
                w.WriteLine(marshal.Write(node, value, "writer", checkedNotNull: true));
                w.WriteLine("return;");
                w.Unindent();
            }
            w.CloseBrace();
        }
        UnknownProperty(w, model, "readable");
        w.CloseBrace();
    }

    private static void EmitSetProperty(SourceWriter w, InterfaceModel model, MarshalEmitter marshal)
    {
        w.WriteLine();
        w.WriteLine("/// <inheritdoc/>");
        w.WriteLine($"void {Handler}.SetProperty(string name, ref global::DBus.MessageReader reader)");
        w.OpenBrace();
        var writable = Distinct(model.Properties.Where(p => (p.Access & PropertyAccess.Write) != 0));
        if (writable.Count > 0)
        {
            w.WriteLine("switch (name)");
            w.OpenBrace();
            foreach (var property in writable)
            {
                w.WriteLine($"case {CSharpLiterals.String(property.Name)}:");
                w.Indent();
                w.WriteLine($"this.Set{property.CSharpName}({marshal.Read(MarshalEmitter.Parse(property.Signature), "reader")});");
                w.WriteLine("return;");
                w.Unindent();
            }
            w.CloseBrace();
        }
        UnknownProperty(w, model, "writable");
        w.CloseBrace();
    }

    private static void UnknownProperty(SourceWriter w, InterfaceModel model, string kind)
    {
        // The connection answers Properties calls from the XML and never passes another name.
        w.WriteLine($"throw new global::DBus.DBusException(\"org.freedesktop.DBus.Error.UnknownProperty\", "
            + $"\"no {kind} property '\" + name + \"' in {model.Name}\");");
    }

    private static void EmitExtensions(SourceWriter w, InterfaceModel model)
    {
        string messages = Qualified(model, model.TypeName + "Messages");
        w.WriteLine($"/// <summary>Emits the signals of the D-Bus interface <c>{CSharpLiterals.DocText(model.Name)}</c> from an exported object.</summary>");
        w.WriteLine(DBusGenerator.Emitter.GeneratedCodeAttribute);
        Obsolete(w, model.Deprecated, "interface");
        w.WriteLine($"public static partial class {model.TypeName}HandlerExtensions");
        w.OpenBrace();
        bool first = true;
        foreach (var signal in model.Signals)
        {
            Separate(w, ref first);
            var names = signal.Args.Select(a => a.ParameterName).ToList();
            string connection = ArgumentNamer.AppendedParameter(names, "connection", "dbusConnection");
            names.Add(connection);
            string path = ArgumentNamer.AppendedParameter(names, "path", "objectPath");
            names.Add(path);
            string destination = ArgumentNamer.AppendedParameter(names, "destination", "messageDestination");
            w.WriteLine($"/// <summary>Emits the D-Bus signal <c>{CSharpLiterals.DocText(signal.Name)}</c> from the object at <paramref name=\"{path}\"/>.</summary>");
            Remarks(w, signal.Doc);
            w.WriteLine($"/// <param name=\"{connection}\">The connection the object is exported on.</param>");
            w.WriteLine($"/// <param name=\"{path}\">The path of the emitting object.</param>");
            ParamDocs(w, signal.Args);
            w.WriteLine($"/// <param name=\"{destination}\">The one peer to send it to, or null to broadcast it.</param>");
            w.WriteLine("/// <returns>A task completed once the signal is queued for sending.</returns>");
            w.WriteLine("/// <exception cref=\"global::DBus.DBusDisconnectedException\">The connection is closed.</exception>");
            Obsolete(w, signal.Deprecated, "signal");
            string parameters = string.Join("", signal.Args.Select(a => ", " + a.CSharpType + " " + a.ParameterName));
            w.WriteLine($"public static {ValueTask} Emit{signal.CSharpName}Async(this {Connection} {connection}, global::DBus.ObjectPath {path}{parameters}, string? {destination} = null)");
            w.OpenBrace();
            w.WriteLine($"global::System.ArgumentNullException.ThrowIfNull({connection});");
            string args = string.Join("", signal.Args.Select(a => a.ParameterName + ", "));
            w.WriteLine($"{connection}.EmitSignal(new {messages}(null, {path}).{signal.CSharpName}({args}{destination}));");
            w.WriteLine("return default;");
            w.CloseBrace();
        }
        w.CloseBrace();
    }

    /// <summary>Two properties with one D-Bus name (DBG1004): the first one serves it.</summary>
    private static List<PropertyModel> Distinct(IEnumerable<PropertyModel> properties)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        return properties.Where(p => seen.Add(p.Name)).ToList();
    }

    private static string ContextParameter(MethodModel method) =>
        ArgumentNamer.AppendedParameter(method.InArgs.Select(a => a.ParameterName), "context", "methodContext");

    private static string? ResultType(MethodModel method) =>
        TypeMapper.ToTuple(method.OutArgs.Select(a => (SendType(a), a.ElementName)).ToList());

    private static string ReturnType(MethodModel method) =>
        ResultType(method) is { } result ? $"{ValueTask}<{result}>" : ValueTask;

    private static void Separate(SourceWriter w, ref bool first)
    {
        if (!first)
        {
            w.WriteLine();
        }
        first = false;
    }
}
