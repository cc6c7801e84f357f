from django.shortcuts import render

from accounts.access import report_reader_required


@report_reader_required
def report_list(request):
    # Report runs arrive with the reports issue; until then the page says so plainly.
    return render(request, "reports/report_list.html", {"report_runs": []})
