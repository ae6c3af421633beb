; Inno Setup 6 script for the Windows installer. Built by: packaging\build.ps1 -Installer
; (ISCC /DAppVersion=0.1.0 /DBundleDir=build\dist\llm-build-planner packaging\windows\installer.iss)
;
; Per-user install by default (no administrator rights needed); the user may choose all users.
; Saved builds live in %LOCALAPPDATA%\llm-build-planner, outside the install folder, so
; updating or uninstalling the app leaves them in place.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\build\dist\llm-build-planner"
#endif

[Setup]
AppId={{6F1C2B3A-8E54-4C0B-9A57-3D2E9B41C7A5}
AppName=LLM Build Planner
AppVersion={#AppVersion}
AppVerName=LLM Build Planner {#AppVersion}
AppPublisher=LLM Build Planner contributors
DefaultDirName={autopf}\LLM Build Planner
DefaultGroupName=LLM Build Planner
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=llm-build-planner-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\llm-build-planner.ico
UninstallDisplayIcon={app}\llm-build-planner.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; An update replaces the whole folder: stale files from an older bundle must not linger.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\LLM Build Planner"; Filename: "{app}\llm-build-planner.exe"
Name: "{autodesktop}\LLM Build Planner"; Filename: "{app}\llm-build-planner.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\llm-build-planner.exe"; Description: "{cm:LaunchProgram,LLM Build Planner}"; Flags: nowait postinstall skipifsilent
