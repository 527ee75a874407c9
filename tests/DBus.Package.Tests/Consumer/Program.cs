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

internal sealed class Calculator : ICalculatorHandler
{
    public ValueTask<int> AddAsync(int a, int b, MethodContext context) => new(a + b);

    public uint GetPrecision() => 32;
}
