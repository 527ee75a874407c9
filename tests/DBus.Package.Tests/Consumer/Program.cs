using Consumer;
using DBus;
using DBus.Testing;

// Serves the generated ICalculatorHandler on a private bus and calls it through the generated CalculatorProxy
// from a second connection, as another process would.
await using var bus = await PrivateBus.StartAsync();
await using var service = await DBusConnection.ConnectAsync(bus.Address);
using var export = service.Export("/com/example/Calculator", new Calculator());
Console.WriteLine($"RequestName: {await service.RequestNameAsync("com.example.Calculator", RequestNameFlags.DoNotQueue)}");

await using var client = await DBusConnection.ConnectAsync(bus.Address);
var calculator = new CalculatorProxy(client, "com.example.Calculator", "/com/example/Calculator");
Console.WriteLine($"Add(2, 40) = {await calculator.AddAsync(2, 40)}");
Console.WriteLine($"Precision = {await calculator.GetPrecisionAsync()}");

// ValueTasks="true" reaches the generator only through the package's build files: without it this is a Task.
using var counterExport = service.Export("/com/example/Counter", new Counter());
var counter = new CounterProxy(client, "com.example.Calculator", "/com/example/Counter");
ValueTask<uint> next = counter.NextAsync();
Console.WriteLine($"Next = {await next}, then {await counter.NextAsync()}");

internal sealed class Calculator : ICalculatorHandler
{
    public ValueTask<int> AddAsync(int a, int b, MethodContext context) => new(a + b);

    public uint GetPrecision() => 32;
}

internal sealed class Counter : ICounterHandler
{
    private uint _value;

    public ValueTask<uint> NextAsync(MethodContext context) => new(++_value);
}
