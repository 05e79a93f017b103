@echo off
rem Build, test, run the demo and the benchmarks. Usage:
rem   build.cmd demo [ARGS...]    restore, build in Release, run the demo with ARGS
rem   build.cmd test              build and run every test (and the kernel tests under forced vector widths)
rem   build.cmd bench [ARGS...]   the BenchmarkDotNet suite (--quick: a smoke run of every benchmark; --compare: Linux only)
setlocal EnableDelayedExpansion
cd /d "%~dp0"
set DOTNET_CLI_TELEMETRY_OPTOUT=1
set DOTNET_NOLOGO=1
where dotnet >nul 2>nul || (echo error: the .NET SDK 10.0 is not on PATH; install it from https://dot.net and retry 1>&2 & exit /b 1)
set "CMD=%~1"
if "%CMD%"=="" goto usage
shift
set "FIRST=%~1"
set "ARGS="
:collect
if "%~1"=="" goto dispatch
set ARGS=!ARGS! %1
shift
goto collect
:dispatch
if /i "%CMD%"=="demo" goto demo
if /i "%CMD%"=="test" goto test
if /i "%CMD%"=="bench" goto bench
goto usage
:demo
dotnet build Demo\Demo.csproj -c Release --nologo -v quiet -clp:ErrorsOnly || exit /b 1
dotnet Demo\bin\Release\net10.0\demo.dll %ARGS%
exit /b %ERRORLEVEL%
:test
dotnet build LstmEngine.slnx -c Release --nologo -v quiet -clp:ErrorsOnly || exit /b 1
set FAILED=0
dotnet test Engine.Tests\Engine.Tests.csproj -c Release --no-build --nologo || set FAILED=1
set DOTNET_PreferredVectorBitWidth=256
dotnet test Engine.Tests\Engine.Tests.csproj -c Release --no-build --nologo --filter Category=Kernels || set FAILED=1
set DOTNET_PreferredVectorBitWidth=
set DOTNET_EnableHWIntrinsic=0
dotnet test Engine.Tests\Engine.Tests.csproj -c Release --no-build --nologo --filter Category=Kernels || set FAILED=1
set DOTNET_EnableHWIntrinsic=
if %FAILED%==1 (echo some tests failed & exit /b 1)
echo all test runs passed
exit /b 0
:bench
if /i "%FIRST%"=="--compare" (echo error: --compare runs the PyTorch peer from Debian packages; use ./build.sh bench --compare on Linux 1>&2 & exit /b 1)
dotnet build Engine.Bench\Engine.Bench.csproj -c Release --nologo -v quiet -clp:ErrorsOnly || exit /b 1
dotnet Engine.Bench\bin\Release\net10.0\Engine.Bench.dll %ARGS%
exit /b %ERRORLEVEL%
:usage
echo usage: build.cmd demo^|test^|bench [ARGS...]
exit /b 1
