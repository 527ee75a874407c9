using System;
using System.Threading;
using DBus.Generator.Diagnostics;
using DBus.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DBus.Generator;

/// <summary>
/// Turns D-Bus introspection XML (AdditionalFiles with <c>DBusGenerate</c> metadata, usually from
/// <c>DBusInterface</c> items) into C#. Each file is its own pipeline item: editing one file re-parses
/// and re-emits only that file.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class DBusGenerator : IIncrementalGenerator
{
    internal const string GenerateMetadata = "build_metadata.AdditionalFiles.DBusGenerate";
    internal const string NamespaceMetadata = "build_metadata.AdditionalFiles.DBusNamespace";
    internal const string PooledArraysMetadata = "build_metadata.AdditionalFiles.DBusPooledArrays";
    internal const string ValueTasksMetadata = "build_metadata.AdditionalFiles.DBusValueTasks";
    internal const string FaultInjectionMetadata = "build_metadata.AdditionalFiles.DBusGenFaultInjection";
    internal const string RootNamespaceProperty = "build_property.RootNamespace";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var inputs = context.AdditionalTextsProvider
            .Where(static text => text.Path.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
            .Combine(context.AnalyzerConfigOptionsProvider)
            .Select(static (pair, ct) => ReadInput(pair.Left, pair.Right, ct))
            .Where(static input => input is not null)
            .Select(static (input, _) => input!)
            .WithTrackingName(TrackingNames.Inputs);

        var files = inputs
            .Select(static (input, ct) => ParseSafely(input, ct))
            .WithTrackingName(TrackingNames.Parse);

        var diagnostics = files
            .Select(static (file, _) => file.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, items) =>
        {
            foreach (var item in items)
            {
                spc.ReportDiagnostic(item.ToDiagnostic());
            }
        });

        var generated = files
            .SelectMany(static (file, _) => file.Interfaces)
            .WithTrackingName(TrackingNames.Interfaces)
            .Select(static (model, ct) => EmitSafely(model, ct))
            .WithTrackingName(TrackingNames.Emit);

        // Two files may generate the same interface into the same namespace. Roslyn finds the clashing
        // hint names only after the output callbacks run and then fails the whole generator (CS8785), so
        // the clash is settled here: only the (hint name, path) keys are collected, never the models, and
        // the result is equal from run to run unless a hint name appears or disappears.
        var duplicates = generated
            .Select(static (file, _) => new HintClaim(file.HintName, file.Location.FilePath))
            .Collect()
            .Select(static (claims, _) => HintClaim.Losers(claims))
            .WithTrackingName(TrackingNames.HintNames);
        var settled = generated
            .Combine(duplicates)
            .Select(static (pair, _) => Settle(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Settle);
        context.RegisterSourceOutput(settled, static (spc, file) => AddSource(spc, file));
    }

    /// <summary>
    /// The file's text and settings, or null when it has no <c>DBusGenerate</c> metadata: such a file
    /// is not ours and its text is never read.
    /// </summary>
    private static FileInput? ReadInput(AdditionalText text, AnalyzerConfigOptionsProvider options, CancellationToken ct)
    {
        var fileOptions = options.GetOptions(text);
        if (!fileOptions.TryGetValue(GenerateMetadata, out var generate) || string.IsNullOrWhiteSpace(generate))
        {
            return null;
        }
        if (!fileOptions.TryGetValue(NamespaceMetadata, out var ns) || string.IsNullOrWhiteSpace(ns))
        {
            options.GlobalOptions.TryGetValue(RootNamespaceProperty, out ns);
        }
        fileOptions.TryGetValue(FaultInjectionMetadata, out var fault);
        fileOptions.TryGetValue(PooledArraysMetadata, out var pooled);
        fileOptions.TryGetValue(ValueTasksMetadata, out var valueTasks);
        string content = text.GetText(ct)?.ToString() ?? "";
        return new FileInput(text.Path, content, generate.Trim(), ns?.Trim() ?? "", fault?.Trim() ?? "", pooled?.Trim() ?? "", valueTasks?.Trim() ?? "");
    }

    /// <summary>The pipeline boundary: a bug in the parser becomes a diagnostic, never a CS8785 crash.</summary>
    private static FileModel ParseSafely(FileInput input, CancellationToken ct)
    {
        try
        {
            return Parser.Parse(input, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.FileStart(input.Path), Describe(ex));
            return new FileModel(input.Path, EquatableArray<InterfaceModel>.Empty, new EquatableArray<DiagnosticInfo>(new[] { error }));
        }
    }

    private static GeneratedFile EmitSafely(InterfaceModel model, CancellationToken ct)
    {
        try
        {
            return new GeneratedFile(model.HintName, Emitter.Emit(model, ct), model.Location, model.Name, model.Namespace,
                EquatableArray<DiagnosticInfo>.Empty);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, model.Location, Describe(ex));
            return new GeneratedFile(model.HintName, null, model.Location, model.Name, model.Namespace,
                new EquatableArray<DiagnosticInfo>(new[] { error }));
        }
    }

    private static GeneratedFile Settle(GeneratedFile file, EquatableArray<HintClaim> losers)
    {
        if (!System.Linq.Enumerable.Contains(losers, new HintClaim(file.HintName, file.Location.FilePath)))
        {
            return file;
        }
        var clash = DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateGeneratedFile, file.Location, file.InterfaceName, file.Namespace);
        return file with { Source = null, Diagnostics = new EquatableArray<DiagnosticInfo>(new[] { clash }) };
    }

    private static void AddSource(SourceProductionContext context, GeneratedFile file)
    {
        foreach (var diagnostic in file.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
        if (file.Source is null)
        {
            return;
        }
        try
        {
            context.AddSource(file.HintName, SourceText.From(file.Source, System.Text.Encoding.UTF8));
        }
        catch (ArgumentException ex)
        {
            // AddSource checks the hint name's characters; the parser keeps them safe, so this is a bug.
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, file.Location.ToLocation(), Describe(ex)));
        }
    }

    private static string Describe(Exception ex) => ex.GetType().Name + ": " + ex.Message;
}
