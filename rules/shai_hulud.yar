/*
 * Shai-Hulud, September 2025: trojanized versions run "node bundle.js" on
 * postinstall; bundle.js downloads and runs TruffleHog, validates npm and
 * GitHub tokens, pushes a shai-hulud workflow that posts repository secrets
 * to a webhook.site URL, and republishes private repositories as
 * "Shai-Hulud Migration". Markers from the Cobenian detector, SafeDep's
 * response repository and StepSecurity's write-up (see feeds/SOURCES.md).
 */

rule shai_hulud_webhook_exfil
{
	meta:
		description = "Shai-Hulud (September 2025) exfiltration endpoint: the hard-coded webhook.site URL"
		severity = "critical"
		family = "shai-hulud"
		reference = "https://www.stepsecurity.io/blog/ctrl-tinycolor-and-40-npm-packages-compromised"
	strings:
		$url = "webhook.site/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7"
	condition:
		$url
}

rule shai_hulud_workflow_drop
{
	meta:
		description = "Shai-Hulud (September 2025) workflow: pushes .github/workflows/shai-hulud-workflow.yml on a shai-hulud branch to post repository secrets"
		severity = "critical"
		family = "shai-hulud"
		reference = "https://github.com/Cobenian/shai-hulud-detect"
	strings:
		$wf = "shai-hulud-workflow.yml"
		$branch = "refs/heads/shai-hulud"
		$secrets = "toJSON(secrets)"
		$webhook = "webhook.site/"
	condition:
		$wf or ($branch and ($secrets or $webhook))
}

rule shai_hulud_trufflehog_harvest
{
	meta:
		description = "Shai-Hulud (September 2025) bundle.js: downloads TruffleHog and validates npm and GitHub tokens to republish the victim's packages"
		severity = "critical"
		family = "shai-hulud"
		reference = "https://github.com/safedep/shai-hulud-migration-response"
	strings:
		$th = "trufflehog"
		$dl1 = "trufflesecurity/trufflehog/releases"
		$dl2 = "releases/download"
		$dl3 = "releases/latest"
		$npm1 = "/-/whoami"
		$npm2 = "NPM_TOKEN"
		$npm3 = "npm publish"
		$npm4 = "_authToken"
		$gh1 = "GITHUB_TOKEN"
		$gh2 = "api.github.com"
		$gh3 = "ghp_"
	condition:
		$th and 1 of ($dl*) and 1 of ($npm*) and 1 of ($gh*)
}

rule shai_hulud_migration_repos
{
	meta:
		description = "Shai-Hulud (September 2025) repository republishing: private repositories made public as \"Shai-Hulud Migration\""
		severity = "critical"
		family = "shai-hulud"
		reference = "https://github.com/Cobenian/shai-hulud-detect"
	strings:
		$desc = "Shai-Hulud Migration"
	condition:
		$desc
}
