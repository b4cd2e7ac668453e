using Microsoft.Extensions.Options;

namespace WinBack.Web.Hosting;

/// <summary>
/// <c>WinBack.Web check-settings</c>: runs every check the app makes of its settings at start (each options section
/// validated on start) without starting anything, and prints each missing or wrong setting in a sentence. A deploy
/// runs it before rolling out; the compose file's test runs it for each WinBack service.
/// </summary>
public static class SettingsCheckCommand
{
    public const string Name = "check-settings";

    public static int Run(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            Console.WriteLine("Every setting checked at start is in order.");
            return 0;
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException)
        {
            var failures = e is AggregateException all ? all.InnerExceptions.OfType<OptionsValidationException>() : [(OptionsValidationException)e];
            foreach (var failure in failures.SelectMany(f => f.Failures)) Console.Error.WriteLine(failure);
            return 1;
        }
    }
}
