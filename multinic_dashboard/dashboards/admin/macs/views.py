from horizon import views


class IndexView(views.HorizonTemplateView):
    template_name = "multinic_dashboard/placeholder.html"
    page_title = "placeholder"
