"""Configuration: the shipped file, where it is found, and errors worded for a person."""


import pytest

from store import open_db
from tests.conftest import ROOT, chipwatch
from tracker import config as config_module
from tracker.config import ConfigError


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path, text) -> str:
    with pytest.raises(ConfigError) as info:
        config_module.load(write(tmp_path, text))
    return str(info.value)


def test_shipped_config_matches_the_built_in_defaults():
    shipped = config_module.load(ROOT / "config.toml")
    built_in = config_module.defaults()
    assert shipped.model_dump(exclude={"alerts"}) == built_in.model_dump(exclude={"alerts"})
    # The file lists the channels a configuration without [alerts.*] gets anyway.
    assert shipped.channels() == built_in.channels()
    assert shipped.db_path == (ROOT / "data" / "chipwatch.db").resolve()


def test_relative_paths_are_taken_from_the_config_directory(tmp_path):
    config = config_module.load(write(tmp_path, '[store]\npath = "state/x.db"\n'))
    assert config.db_path == (tmp_path / "state" / "x.db").resolve()


def test_explicit_path_beats_environment_which_beats_cwd(tmp_path, monkeypatch):
    env_file = write(tmp_path, "[crawl]\ndownload_delay = 7\n")
    monkeypatch.setenv("CHIPWATCH_CONFIG", str(env_file))
    assert config_module.load().crawl.download_delay == 7
    other = tmp_path / "other.toml"
    other.write_text("[crawl]\ndownload_delay = 3\n", encoding="utf-8")
    assert config_module.load(other).crawl.download_delay == 3


def test_missing_named_file_is_an_error_but_missing_default_uses_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("CHIPWATCH_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="configuration file not found"):
        config_module.load(tmp_path / "nope.toml")
    monkeypatch.chdir(tmp_path)
    assert config_module.load().model_dump() == config_module.defaults().model_dump()


def test_an_unknown_agency_slug_is_used_with_a_warning_naming_the_likely_one(tmp_path):
    config = config_module.load(write(
        tmp_path, '[sources.federal_register]\n'
                  'agencies = ["commerce-department", "bureau-of-industry-and-security"]\n'))
    assert config.source("federal_register").agencies[1] == "bureau-of-industry-and-security"
    [warning] = config.warnings
    assert "[sources.federal_register] agencies" in warning
    assert "'bureau-of-industry-and-security'" in warning
    assert "did you mean 'industry-and-security-bureau'" in warning


def test_an_agency_slug_not_known_today_is_accepted_without_a_wrong_suggestion(tmp_path):
    config = config_module.load(write(
        tmp_path, '[sources.federal_register]\nagencies = ["state-department"]\n'))
    assert config.source("federal_register").agencies == ["state-department"]
    [warning] = config.warnings
    assert "'state-department' is not among the agency slugs chipwatch knows" in warning
    assert "did you mean" not in warning


def test_an_agency_slug_not_of_the_documented_form_is_refused(tmp_path):
    message = error_for(tmp_path, '[sources.federal_register]\nagencies = ["State Department"]\n')
    assert "[sources.federal_register] agencies" in message
    assert "lower case with hyphens" in message


def test_unknown_key_suggests_the_close_one(tmp_path):
    message = error_for(tmp_path, "[crawl]\ndownload_dealy = 2\n")
    assert "[crawl] download_dealy: unknown key; did you mean 'download_delay'?" in message


@pytest.mark.parametrize("text, expected", [
    ('[crawl]\ndownload_delay = "fast"\n', "[crawl] download_delay"),
    ("[crawl]\ndownload_timeout = 0\n", "greater than or equal to 1"),
    ('[sources.bis]\nbase_url = "www.bis.gov"\n', "is not a site origin"),
    ('[sources.tsmc]\nlanguages = ["fr"]\n', "[sources.tsmc] languages[0]: 'fr' is not allowed"),
    ('[sources.federal_register]\ntypes = ["RULES"]\n', "'RULES' is not allowed"),
    ("[sources.federal_register]\nper_page = 5000\n", "less than or equal to 1000"),
    ("[store]\npath = 3\n", "[store] path"),
    ("[crawl\n", "not valid TOML"),
    ("[sources.nasa]\nenabled = true\n", "[sources] nasa: unknown key"),
])
def test_bad_values_name_the_key_and_the_problem(tmp_path, text, expected):
    assert expected in error_for(tmp_path, text)


def test_cli_reports_config_errors_with_status_2_and_no_traceback(tmp_path):
    path = write(tmp_path, '[sources.federal_regster]\nenabled = false\n')
    result = chipwatch("run", "--config", str(path))
    assert result.returncode == 2
    assert "did you mean 'federal_register'" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_prints_warnings_and_goes_on(tmp_path):
    path = write(tmp_path, '[sources.federal_register]\nagencies = ["state-department"]\n'
                           f'[store]\npath = "{tmp_path / "x.db"}"\n')
    open_db(tmp_path / "x.db").close()
    result = chipwatch("status", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert "chipwatch: warning: [sources.federal_register] agencies: 'state-department'" \
        in result.stderr


def test_cli_missing_config_file_is_status_2(tmp_path):
    result = chipwatch("run", "--config", str(tmp_path / "missing.toml"))
    assert result.returncode == 2 and "configuration file not found" in result.stderr


def test_unknown_source_on_the_command_line_is_status_2(tmp_path):
    path = write(tmp_path, "")
    result = chipwatch("crawl", "federal_registr", "--config", str(path))
    assert result.returncode == 2
    assert "did you mean 'federal_register'" in result.stderr


def test_secret_reads_only_the_named_variable(monkeypatch):
    monkeypatch.setenv("CHIPWATCH_TEST_SECRET", "s3cret")
    assert config_module.secret("CHIPWATCH_TEST_SECRET") == "s3cret"
    assert config_module.secret(None) is None
    assert config_module.secret("CHIPWATCH_UNSET_VARIABLE") is None
